//! OCI image layouts and archives: `index.json`, then (possibly nested) indexes, then an
//! image manifest, each blob verified against the descriptor that names it.

use std::collections::BTreeMap;

use kensa_core::{ArtifactKind, Digest};
use serde::Deserialize;

use super::{LayerBlob, OpenOptions, Platform, Resolved, blob_path, finish};
use crate::blob::{BlobStore, read_document, verify_bytes};
use crate::{Image, ImageError};

const MEDIA_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const MEDIA_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const MEDIA_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const MEDIA_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// Indexes nest (buildx writes index.json → index → manifests); deeper is not real.
const MAX_INDEX_DEPTH: usize = 4;

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    #[serde(default)]
    media_type: Option<String>,
    digest: Digest,
    size: u64,
    #[serde(default)]
    platform: Option<DescriptorPlatform>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
    /// Set on OCI 1.1 artifacts (signatures, SBOMs), which are not images.
    #[serde(default)]
    artifact_type: Option<String>,
}

#[derive(Deserialize, Clone)]
struct DescriptorPlatform {
    os: String,
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Index {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    config: Descriptor,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

/// Either kind of document a descriptor may point at, told apart by content when the
/// descriptor carries no media type.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AnyManifest {
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<serde::de::IgnoredAny>,
}

/// An image manifest found while descending the index tree.
struct Candidate {
    descriptor: Descriptor,
    platform: Option<Platform>,
    ref_name: Option<String>,
}

pub(super) fn open(
    store: Box<dyn BlobStore>,
    kind: ArtifactKind,
    name: String,
    options: &OpenOptions,
) -> Result<Image, ImageError> {
    let what = format!("`index.json` of {}", store.describe());
    let bytes = read_document(store.as_ref(), "index.json")?;
    let index: Index = serde_json::from_slice(&bytes).map_err(|source| ImageError::Json {
        what: what.clone(),
        source,
    })?;
    let mut candidates = Vec::new();
    collect(store.as_ref(), &index, None, 0, &mut candidates)?;
    let chosen = choose(&what, candidates, options)?;
    let manifest_what = format!("manifest {}", chosen.digest);
    let bytes = read_blob(store.as_ref(), &chosen)?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|source| ImageError::Json {
        what: manifest_what.clone(),
        source,
    })?;
    let layers = manifest
        .layers
        .iter()
        .map(|d| {
            if !store.contains(&blob_path(&d.digest)) {
                return Err(ImageError::Missing {
                    what: manifest_what.clone(),
                    entry: blob_path(&d.digest),
                });
            }
            Ok(LayerBlob {
                path: blob_path(&d.digest),
                digest: Some(d.digest.clone()),
                size: d.size,
                media_type: d.media_type.clone(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let repo_tags = chosen
        .annotations
        .as_ref()
        .and_then(|a| a.get(REF_NAME).cloned())
        .into_iter()
        .collect();
    finish(
        store,
        kind,
        name,
        Resolved {
            config_path: blob_path(&manifest.config.digest),
            config_digest: Some(manifest.config.digest.clone()),
            config_size: Some(manifest.config.size),
            manifest_digest: Some(chosen.digest.clone()),
            repo_tags,
            layers,
        },
    )
}

/// Reads a blob named by a descriptor and checks its size and digest.
fn read_blob(store: &dyn BlobStore, d: &Descriptor) -> Result<Vec<u8>, ImageError> {
    let path = blob_path(&d.digest);
    let bytes = read_document(store, &path)?;
    verify_bytes(&path, &bytes, &d.digest, Some(d.size))?;
    Ok(bytes)
}

fn is_index(store: &dyn BlobStore, d: &Descriptor) -> Result<(bool, Option<Vec<u8>>), ImageError> {
    match d.media_type.as_deref() {
        Some(MEDIA_OCI_INDEX | MEDIA_DOCKER_LIST) => Ok((true, None)),
        Some(MEDIA_OCI_MANIFEST | MEDIA_DOCKER_MANIFEST) => Ok((false, None)),
        _ => {
            let bytes = read_blob(store, d)?;
            let any: AnyManifest =
                serde_json::from_slice(&bytes).map_err(|source| ImageError::Json {
                    what: format!("blob {}", d.digest),
                    source,
                })?;
            let index = any.manifests.is_some()
                || matches!(
                    any.media_type.as_deref(),
                    Some(MEDIA_OCI_INDEX | MEDIA_DOCKER_LIST)
                );
            Ok((index, Some(bytes)))
        }
    }
}

fn collect(
    store: &dyn BlobStore,
    index: &Index,
    inherited_ref: Option<&str>,
    depth: usize,
    out: &mut Vec<Candidate>,
) -> Result<(), ImageError> {
    if depth > MAX_INDEX_DEPTH {
        return Err(ImageError::invalid(
            store.describe(),
            format!("indexes nest deeper than {MAX_INDEX_DEPTH} levels"),
        ));
    }
    for d in &index.manifests {
        let annotations = d.annotations.as_ref();
        // buildx stores provenance attestations as pseudo-images of platform unknown/unknown.
        if annotations.is_some_and(|a| a.contains_key("vnd.docker.reference.type")) {
            continue;
        }
        // A signed layout also lists its signatures (`kensa sign oci-layout:DIR`, cosign's
        // `sha256-<hex>.sig` naming); they are not images to scan.
        let ref_name_here = annotations
            .and_then(|a| a.get(REF_NAME))
            .map(String::as_str);
        if d.artifact_type.is_some() || ref_name_here.is_some_and(is_signature_tag) {
            continue;
        }
        let ref_name = annotations
            .and_then(|a| a.get(REF_NAME).map(String::as_str))
            .or(inherited_ref);
        let (nested, bytes) = is_index(store, d)?;
        if nested {
            let bytes = match bytes {
                Some(b) => b,
                None => read_blob(store, d)?,
            };
            let child: Index =
                serde_json::from_slice(&bytes).map_err(|source| ImageError::Json {
                    what: format!("index {}", d.digest),
                    source,
                })?;
            collect(store, &child, ref_name, depth + 1, out)?;
        } else {
            out.push(Candidate {
                descriptor: d.clone(),
                platform: d.platform.as_ref().map(|p| Platform {
                    os: p.os.clone(),
                    architecture: p.architecture.clone(),
                    variant: p.variant.clone().filter(|v| !v.is_empty()),
                }),
                ref_name: ref_name.map(str::to_owned),
            });
        }
    }
    Ok(())
}

/// `sha256-<64 hex>.sig`: cosign's tag for a signature, never an image's name.
fn is_signature_tag(name: &str) -> bool {
    name.strip_prefix("sha256-")
        .and_then(|rest| rest.strip_suffix(".sig"))
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn choose(
    what: &str,
    mut candidates: Vec<Candidate>,
    options: &OpenOptions,
) -> Result<Descriptor, ImageError> {
    if candidates.is_empty() {
        return Err(ImageError::invalid(what, "lists no image manifest"));
    }
    let describe = |c: &Candidate| match (&c.platform, &c.ref_name) {
        (Some(p), _) => p.to_string(),
        (None, Some(r)) => r.clone(),
        (None, None) => c.descriptor.digest.to_string(),
    };
    let explicit = options.platform.is_some();
    let wanted = options.platform.clone().unwrap_or_else(Platform::host);
    if candidates.len() == 1 {
        let only = &candidates[0];
        if explicit && only.platform.as_ref().is_some_and(|p| !wanted.matches(p)) {
            return Err(ImageError::UnknownPlatform {
                requested: wanted.to_string(),
                available: vec![describe(only)],
            });
        }
        return Ok(candidates.remove(0).descriptor);
    }
    let matching: Vec<usize> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.platform.as_ref().is_some_and(|p| wanted.matches(p)))
        .map(|(i, _)| i)
        .collect();
    match matching.as_slice() {
        [one] => Ok(candidates.swap_remove(*one).descriptor),
        [] if candidates.iter().any(|c| c.platform.is_some()) => Err(ImageError::UnknownPlatform {
            requested: wanted.to_string(),
            available: candidates.iter().map(describe).collect(),
        }),
        _ => Err(ImageError::Ambiguous {
            what: what.to_owned(),
            choices: candidates.iter().map(describe).collect(),
        }),
    }
}
