//! An independent reader of what the testkit writes: it parses the JSON back, re-hashes every
//! blob, decompresses every layer, and lists every inconsistency it finds, so tests can assert
//! that a clean image has none and a tampered one has exactly the intended one.

#![allow(clippy::unwrap_used, dead_code, reason = "test code")]

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

pub(crate) type Files = BTreeMap<String, Vec<u8>>;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    Missing(String),
    IndexDigest(String),
    ManifestUnparseable,
    ConfigDigest,
    ConfigSize,
    ConfigUnparseable,
    DiffIdCount,
    LayerDigest(usize),
    LayerSize(usize),
    LayerUnreadable(usize),
    DiffId(usize),
}

/// What the audit saw of one image.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) manifest: Option<Value>,
    pub(crate) config: Option<Value>,
    /// Each layer's uncompressed tar, if it decompressed.
    pub(crate) layer_tars: Vec<Option<Vec<u8>>>,
}

#[derive(Debug, Default)]
pub(crate) struct Audit {
    pub(crate) problems: Vec<Problem>,
    pub(crate) images: Vec<Seen>,
    /// `platform` of each image manifest reached through a nested index.
    pub(crate) platforms: Vec<Value>,
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

pub(crate) fn tar_files(path: &Path) -> Files {
    let bytes = fs_err::read(path).unwrap();
    let mut files = Files::new();
    let mut ar = tar::Archive::new(&bytes[..]);
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        if e.header().entry_type().is_file() {
            let name = String::from_utf8(e.path_bytes().into_owned()).unwrap();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            assert!(files.insert(name, data).is_none(), "duplicate member");
        }
    }
    files
}

pub(crate) fn dir_files(root: &Path) -> Files {
    fn walk(root: &Path, dir: &Path, out: &mut Files) {
        for e in fs_err::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_str().unwrap().to_owned();
                out.insert(rel, fs_err::read(&p).unwrap());
            }
        }
    }
    let mut out = Files::new();
    walk(root, root, &mut out);
    out
}

pub(crate) fn decompress(kind: &str, blob: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    if kind.ends_with("+gzip") {
        flate2::read::GzDecoder::new(blob).read_to_end(&mut out)?;
    } else if kind.ends_with("+zstd") {
        zstd::Decoder::new(blob)?.read_to_end(&mut out)?;
    } else {
        out.extend_from_slice(blob);
    }
    Ok(out)
}

/// Docker archives carry no media type; readers sniff the magic bytes.
pub(crate) fn sniff(blob: &[u8]) -> &'static str {
    match blob {
        [0x1f, 0x8b, ..] => "+gzip",
        [0x28, 0xb5, 0x2f, 0xfd, ..] => "+zstd",
        _ => "tar",
    }
}

fn blob_path(digest: &str) -> String {
    format!("blobs/sha256/{}", digest.strip_prefix("sha256:").unwrap())
}

pub(crate) fn audit_oci(files: &Files) -> Audit {
    let mut audit = Audit::default();
    assert_eq!(
        files
            .get("oci-layout")
            .map(|b| serde_json::from_slice::<Value>(b).unwrap()),
        Some(serde_json::json!({"imageLayoutVersion": "1.0.0"}))
    );
    let index: Value = serde_json::from_slice(&files["index.json"]).unwrap();
    assert_eq!(index["schemaVersion"], 2);
    for d in index["manifests"].as_array().unwrap() {
        follow(files, d, &mut audit);
    }
    audit
}

fn follow(files: &Files, desc: &Value, audit: &mut Audit) {
    let digest = desc["digest"].as_str().unwrap();
    let Some(blob) = files.get(&blob_path(digest)) else {
        audit.problems.push(Problem::Missing(blob_path(digest)));
        return;
    };
    if sha256(blob) != digest || desc["size"].as_u64() != Some(blob.len() as u64) {
        audit.problems.push(Problem::IndexDigest(digest.to_owned()));
    }
    match desc["mediaType"].as_str().unwrap() {
        "application/vnd.oci.image.index.v1+json" => {
            let nested: Value = serde_json::from_slice(blob).unwrap();
            for d in nested["manifests"].as_array().unwrap() {
                audit.platforms.push(d["platform"].clone());
                follow(files, d, audit);
            }
        }
        "application/vnd.oci.image.manifest.v1+json" => {
            let Ok(manifest) = serde_json::from_slice::<Value>(blob) else {
                audit.problems.push(Problem::ManifestUnparseable);
                audit.images.push(Seen::default());
                return;
            };
            let seen = audit_manifest(files, manifest, &mut audit.problems);
            audit.images.push(seen);
        }
        other => panic!("unexpected media type {other}"),
    }
}

fn audit_manifest(files: &Files, manifest: Value, problems: &mut Vec<Problem>) -> Seen {
    assert_eq!(manifest["schemaVersion"], 2);
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    let cd = &manifest["config"];
    assert_eq!(cd["mediaType"], "application/vnd.oci.image.config.v1+json");
    let digest = cd["digest"].as_str().unwrap();
    let mut seen = Seen::default();
    match files.get(&blob_path(digest)) {
        None => problems.push(Problem::Missing(blob_path(digest))),
        Some(config) => {
            if sha256(config) != digest {
                problems.push(Problem::ConfigDigest);
            }
            if cd["size"].as_u64() != Some(config.len() as u64) {
                problems.push(Problem::ConfigSize);
            }
            seen.config = serde_json::from_slice(config).ok();
            if seen.config.is_none() {
                problems.push(Problem::ConfigUnparseable);
            }
        }
    }
    let layers: Vec<(String, String, Option<u64>)> = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["mediaType"].as_str().unwrap().to_owned(),
                l["digest"].as_str().unwrap().to_owned(),
                l["size"].as_u64(),
            )
        })
        .collect();
    let files_by_layer = layers
        .iter()
        .map(|(kind, digest, size)| {
            let blob = files.get(&blob_path(digest));
            (kind.clone(), blob.cloned(), Some(digest.clone()), *size)
        })
        .collect();
    audit_layers(files_by_layer, &mut seen, problems);
    seen.manifest = Some(manifest);
    seen
}

/// `(media type, blob, claimed digest, claimed size)` per layer.
type LayerRef = (String, Option<Vec<u8>>, Option<String>, Option<u64>);

fn audit_layers(layers: Vec<LayerRef>, seen: &mut Seen, problems: &mut Vec<Problem>) {
    let diff_ids: Vec<String> = seen
        .config
        .as_ref()
        .and_then(|c| c["rootfs"]["diff_ids"].as_array())
        .map(|a| a.iter().map(|d| d.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default();
    if seen.config.is_some() && diff_ids.len() != layers.len() {
        problems.push(Problem::DiffIdCount);
    }
    for (i, (kind, blob, digest, size)) in layers.into_iter().enumerate() {
        let Some(blob) = blob else {
            problems.push(Problem::Missing(format!("layer {i}")));
            seen.layer_tars.push(None);
            continue;
        };
        if size.is_some_and(|s| s != blob.len() as u64) {
            problems.push(Problem::LayerSize(i));
        }
        if digest.is_some_and(|d| d != sha256(&blob)) {
            problems.push(Problem::LayerDigest(i));
        }
        match decompress(&kind, &blob) {
            Err(_) => {
                problems.push(Problem::LayerUnreadable(i));
                seen.layer_tars.push(None);
            }
            Ok(tar) => {
                if diff_ids.get(i).is_some_and(|d| *d != sha256(&tar)) {
                    problems.push(Problem::DiffId(i));
                }
                seen.layer_tars.push(Some(tar));
            }
        }
    }
}

/// Audits a docker-archive through its `manifest.json`, as `docker load` reads it.
pub(crate) fn audit_docker(files: &Files) -> Audit {
    let mut audit = Audit::default();
    let Ok(manifest) = serde_json::from_slice::<Value>(&files["manifest.json"]) else {
        audit.problems.push(Problem::ManifestUnparseable);
        return audit;
    };
    let entry = &manifest[0];
    let config_path = entry["Config"].as_str().unwrap();
    let mut seen = Seen::default();
    match files.get(config_path) {
        None => audit
            .problems
            .push(Problem::Missing(config_path.to_owned())),
        Some(config) => {
            // Both layouts name the config by its digest.
            let hex = config_path
                .strip_prefix("blobs/sha256/")
                .or_else(|| config_path.strip_suffix(".json"))
                .unwrap();
            if sha256(config) != format!("sha256:{hex}") {
                audit.problems.push(Problem::ConfigDigest);
            }
            seen.config = serde_json::from_slice(config).ok();
            if seen.config.is_none() {
                audit.problems.push(Problem::ConfigUnparseable);
            }
        }
    }
    let layers = entry["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let p = p.as_str().unwrap();
            let blob = files.get(p).cloned();
            let kind = blob.as_deref().map(sniff).unwrap_or("tar").to_owned();
            let digest = p
                .strip_prefix("blobs/sha256/")
                .map(|h| format!("sha256:{h}"));
            (kind, blob, digest, None)
        })
        .collect();
    audit_layers(layers, &mut seen, &mut audit.problems);
    seen.manifest = Some(manifest);
    audit.images.push(seen);
    audit
}

/// `(path, entry type, link target)` of each member of a layer tar, raw bytes as strings.
pub(crate) fn tar_listing(tar: &[u8]) -> Vec<(String, tar::EntryType, Option<String>)> {
    let mut ar = tar::Archive::new(tar);
    ar.entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                String::from_utf8(e.path_bytes().into_owned()).unwrap(),
                e.header().entry_type(),
                e.link_name_bytes()
                    .map(|l| String::from_utf8(l.into_owned()).unwrap()),
            )
        })
        .collect()
}
