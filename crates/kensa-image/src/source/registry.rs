//! Images in a registry, read through the same OCI path as a layout: the tag's manifest
//! or index stands in for `index.json`, manifests an index names are fetched by digest,
//! and every other blob (config, layers) streams from the registry's blob endpoint, so a
//! layer goes from the network into the walker with no copy on disk.

use std::collections::HashSet;
use std::io::{Cursor, Read};
use std::sync::Mutex;

use kensa_core::{ArtifactKind, Digest};
use kensa_registry::{Client, ClientOptions, Manifest, Reference};
use serde::Deserialize;

use super::{OpenOptions, oci};
use crate::blob::{BlobStore, MAX_DOCUMENT_BYTES};
use crate::{Image, ImageError};

/// Opens `reference`: one manifest request for the tag (or digest), then what the OCI
/// source asks for.
pub(super) fn open(
    reference: &Reference,
    client_options: &ClientOptions,
    options: &OpenOptions,
) -> Result<Image, ImageError> {
    let pull = |source| ImageError::Registry {
        reference: reference.to_string(),
        source: Box::new(source),
    };
    let client = Client::new(client_options.clone()).map_err(pull)?;
    let top = client.manifest(reference).map_err(pull)?;
    let store = RegistryStore {
        client,
        reference: reference.clone(),
        described: format!("registry image `{reference}`"),
        manifests: Mutex::new(HashSet::new()),
        configs: Mutex::new(HashSet::new()),
        top,
    };
    store.remember_children(&store.top);
    let mut image = oci::open(
        Box::new(store),
        ArtifactKind::Registry,
        reference.to_string(),
        options,
    )?;
    image.repo_tags = vec![reference.to_string()];
    Ok(image)
}

struct RegistryStore {
    client: Client,
    reference: Reference,
    described: String,
    /// The manifest the tag (or pinned digest) names.
    top: Manifest,
    /// Digests an index lists: they are manifests, fetched from `/manifests/`.
    manifests: Mutex<HashSet<Digest>>,
    /// Config digests the image manifests name: small documents, read whole through the
    /// client (which keeps them, with a document cache, so a rescan does not ask again).
    configs: Mutex<HashSet<Digest>>,
}

impl RegistryStore {
    fn remember_children(&self, manifest: &Manifest) {
        #[derive(Deserialize)]
        struct Document {
            #[serde(default)]
            manifests: Vec<Child>,
            #[serde(default)]
            config: Option<Child>,
        }
        #[derive(Deserialize)]
        struct Child {
            digest: Digest,
        }
        // A malformed document is reported by the OCI source when it parses it.
        let Ok(document) = serde_json::from_slice::<Document>(&manifest.bytes) else {
            return;
        };
        if manifest.is_index() {
            let mut known = self.manifests.lock().unwrap_or_else(|e| e.into_inner());
            known.extend(document.manifests.into_iter().map(|c| c.digest));
        } else if let Some(config) = document.config {
            let mut known = self.configs.lock().unwrap_or_else(|e| e.into_inner());
            known.insert(config.digest);
        }
    }

    fn pull(&self, source: kensa_registry::RegistryError) -> ImageError {
        ImageError::Registry {
            reference: self.reference.to_string(),
            source: Box::new(source),
        }
    }

    /// `index.json` for the OCI source: one descriptor of what the tag names.
    fn synthetic_index(&self) -> Vec<u8> {
        serde_json::json!({
            "schemaVersion": 2,
            "manifests": [{
                "mediaType": self.top.media_type,
                "digest": self.top.digest.to_string(),
                "size": self.top.bytes.len(),
            }],
        })
        .to_string()
        .into_bytes()
    }
}

/// Layers are limited by their descriptor in the walker; this only keeps a hostile
/// `Content-Length` from being believed.
const MAX_BLOB_BYTES: u64 = 1 << 40;

impl BlobStore for RegistryStore {
    fn open(&self, path: &str) -> Result<(Box<dyn Read + Send + '_>, u64), ImageError> {
        if path == "index.json" {
            let bytes = self.synthetic_index();
            let len = bytes.len() as u64;
            return Ok((Box::new(Cursor::new(bytes)), len));
        }
        let digest = path
            .strip_prefix("blobs/")
            .and_then(|rest| rest.split_once('/'))
            .and_then(|(algorithm, hex)| format!("{algorithm}:{hex}").parse::<Digest>().ok())
            .ok_or_else(|| ImageError::Missing {
                what: self.described.clone(),
                entry: path.to_owned(),
            })?;
        if digest == self.top.digest {
            let bytes = self.top.bytes.clone();
            let len = bytes.len() as u64;
            return Ok((Box::new(Cursor::new(bytes)), len));
        }
        let is_manifest = self
            .manifests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&digest);
        if is_manifest {
            let manifest = self
                .client
                .manifest(&self.reference.with_digest(digest))
                .map_err(|e| self.pull(e))?;
            self.remember_children(&manifest);
            let len = manifest.bytes.len() as u64;
            return Ok((Box::new(Cursor::new(manifest.bytes)), len));
        }
        let is_config = self
            .configs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&digest);
        if is_config {
            let bytes = self
                .client
                .blob_bytes(&self.reference, &digest, MAX_DOCUMENT_BYTES)
                .map_err(|e| self.pull(e))?;
            let len = bytes.len() as u64;
            return Ok((Box::new(Cursor::new(bytes)), len));
        }
        let blob = self
            .client
            .blob(&self.reference, &digest, MAX_BLOB_BYTES)
            .map_err(|e| self.pull(e))?;
        // An unknown length (chunked) is 0 here: the walker then holds the blob to its
        // descriptor's size.
        Ok((blob.reader, blob.size.unwrap_or(0)))
    }

    fn contains(&self, path: &str) -> bool {
        // Asking would cost a request per layer; a missing blob fails when opened.
        path == "index.json" || path.starts_with("blobs/")
    }

    fn describe(&self) -> &str {
        &self.described
    }
}
