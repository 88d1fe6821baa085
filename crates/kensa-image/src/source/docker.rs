//! `docker save` archives: `manifest.json` names the config and layer files, either in
//! the classic layout (`<id>/layer.tar`) or, since Docker 25, as OCI blobs
//! (`blobs/sha256/<hex>`).

use kensa_core::ArtifactKind;
use serde::Deserialize;

use super::{LayerBlob, OpenOptions, Resolved, digest_from_blob_path, finish};
use crate::blob::{BlobStore, read_document};
use crate::{Image, ImageError};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

pub(super) fn open(
    store: Box<dyn BlobStore>,
    name: String,
    _options: &OpenOptions,
) -> Result<Image, ImageError> {
    let what = format!("`manifest.json` of {}", store.describe());
    let bytes = read_document(store.as_ref(), "manifest.json")?;
    let mut entries: Vec<ManifestEntry> =
        serde_json::from_slice(&bytes).map_err(|source| ImageError::Json {
            what: what.clone(),
            source,
        })?;
    let entry = match entries.len() {
        0 => return Err(ImageError::invalid(what, "lists no image")),
        1 => entries.remove(0),
        _ => {
            return Err(ImageError::Ambiguous {
                what,
                choices: entries
                    .iter()
                    .map(|e| {
                        e.repo_tags
                            .as_ref()
                            .and_then(|t| t.first().cloned())
                            .unwrap_or_else(|| e.config.clone())
                    })
                    .collect(),
            });
        }
    };
    // The classic layout names the config `<sha256 hex>.json`; newer ones use blob paths.
    let config_digest = digest_from_blob_path(&entry.config).or_else(|| {
        entry
            .config
            .strip_suffix(".json")
            .and_then(|hex| format!("sha256:{hex}").parse().ok())
    });
    let mut layers = Vec::with_capacity(entry.layers.len());
    for path in entry.layers {
        let (_, size) = store.open(&path).map_err(|e| match e {
            ImageError::Missing { entry, .. } => ImageError::Missing {
                what: what.clone(),
                entry,
            },
            other => other,
        })?;
        layers.push(LayerBlob {
            digest: digest_from_blob_path(&path),
            path,
            size,
            media_type: None,
        });
    }
    finish(
        store,
        ArtifactKind::DockerArchive,
        name,
        Resolved {
            config_path: entry.config,
            config_digest,
            config_size: None,
            manifest_digest: None,
            repo_tags: entry.repo_tags.unwrap_or_default(),
            layers,
        },
    )
}
