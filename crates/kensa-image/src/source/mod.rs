//! Image sources: everything that turns an input into a verified config and an ordered
//! list of layer blobs. A registry reference is one more source behind the same
//! [`Image`] type.

mod docker;
mod oci;
mod registry;
mod store;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use kensa_core::{ArtifactKind, Digest, ImageConfig};

use crate::ImageError;
use crate::blob::{BlobStore, read_document, verify_bytes};
use store::{ArchiveStore, LayoutStore};

/// What the user asked to scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageInput {
    /// A tarball: docker-archive or OCI archive, told apart by content.
    Archive(PathBuf),
    /// An OCI image layout directory (`oci-layout:DIR`).
    OciLayout(PathBuf),
    /// An image in a registry, and how to reach it.
    Registry {
        /// The reference, normalised.
        reference: kensa_registry::Reference,
        /// Transport and credentials.
        client: Box<kensa_registry::ClientOptions>,
    },
}

impl ImageInput {
    /// Parses a positional image reference: `oci-layout:DIR`, `docker-archive:FILE` and
    /// `oci-archive:FILE` are local; anything else is a registry reference, reached with
    /// default client options until the caller sets them.
    pub fn parse_reference(reference: &str) -> Result<ImageInput, ImageError> {
        if let Some(dir) = reference.strip_prefix("oci-layout:") {
            return Ok(ImageInput::OciLayout(PathBuf::from(dir)));
        }
        if let Some(path) = reference
            .strip_prefix("docker-archive:")
            .or_else(|| reference.strip_prefix("oci-archive:"))
        {
            return Ok(ImageInput::Archive(PathBuf::from(path)));
        }
        if std::path::Path::new(reference).exists() {
            return Err(ImageError::invalid(
                format!("image reference `{reference}`"),
                "it is a local path, not a registry reference; scan an archive with `--input \
                 FILE` and an OCI layout with `oci-layout:DIR`",
            ));
        }
        let parsed =
            kensa_registry::Reference::parse(reference).map_err(|source| ImageError::Registry {
                reference: reference.to_owned(),
                source: Box::new(source),
            })?;
        Ok(ImageInput::Registry {
            reference: parsed,
            client: Box::default(),
        })
    }

    /// The name a report shows.
    pub fn display_name(&self) -> String {
        match self {
            ImageInput::Archive(p) => p.display().to_string(),
            ImageInput::OciLayout(p) => format!("oci-layout:{}", p.display()),
            ImageInput::Registry { reference, .. } => reference.to_string(),
        }
    }
}

/// A platform such as `linux/amd64` or `linux/arm64/v8`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    /// Operating system.
    pub os: String,
    /// CPU architecture, in Go's naming (`amd64`, `arm64`).
    pub architecture: String,
    /// CPU variant (`v7`, `v8`).
    pub variant: Option<String>,
}

impl Platform {
    /// `linux/<this machine's architecture>`, the default when an index offers several.
    pub fn host() -> Platform {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            other => other,
        };
        Platform {
            os: "linux".into(),
            architecture: architecture.into(),
            variant: None,
        }
    }

    /// Whether an image of platform `other` satisfies this request. An unset variant
    /// accepts any variant, and arm64's only common variant `v8` is its default.
    pub fn matches(&self, other: &Platform) -> bool {
        if self.os != other.os || self.architecture != other.architecture {
            return false;
        }
        match (&self.variant, &other.variant) {
            (None, _) => true,
            (Some(want), Some(have)) => want == have,
            (Some(want), None) => self.architecture == "arm64" && want == "v8",
        }
    }
}

impl FromStr for Platform {
    type Err = ImageError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        let bad = || {
            ImageError::invalid(
                format!("platform `{s}`"),
                "expected `os/arch` or `os/arch/variant`, e.g. `linux/arm64/v8`",
            )
        };
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: (*os).into(),
                architecture: (*arch).into(),
                variant: None,
            }),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() && !variant.is_empty() => {
                Ok(Platform {
                    os: (*os).into(),
                    architecture: (*arch).into(),
                    variant: Some((*variant).into()),
                })
            }
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.variant {
            Some(v) => write!(f, "{}/{}/{}", self.os, self.architecture, v),
            None => write!(f, "{}/{}", self.os, self.architecture),
        }
    }
}

/// One layer of an opened image, in order from the base.
#[derive(Clone, Debug)]
pub struct Layer {
    /// Position from the base, starting at 0.
    pub index: usize,
    /// Where the blob is inside the source.
    pub(crate) blob_path: String,
    /// The blob digest from its descriptor, when the source gives one.
    pub digest: Option<Digest>,
    /// The blob size (from the descriptor, else as stored).
    pub size: u64,
    /// The descriptor's media type, when the source gives one.
    pub media_type: Option<String>,
    /// The uncompressed digest from the config's `rootfs.diff_ids`.
    pub diff_id: Digest,
    /// The history step that made the layer.
    pub created_by: Option<String>,
}

impl Layer {
    /// The blob's name for messages: its digest, else its path in the archive.
    pub fn blob_name(&self) -> String {
        match &self.digest {
            Some(d) => d.to_string(),
            None => self.blob_path.clone(),
        }
    }
}

/// An image whose manifest and config have been read and verified; its layers are read
/// by the walker.
pub struct Image {
    /// What kind of source it came from.
    pub kind: ArtifactKind,
    /// The name the user gave.
    pub name: String,
    /// The parsed config.
    pub config: ImageConfig,
    /// The config blob's digest (the image id).
    pub config_digest: Digest,
    /// The manifest digest, when there is a content-addressed manifest.
    pub manifest_digest: Option<Digest>,
    /// Tags recorded by the source.
    pub repo_tags: Vec<String>,
    /// The layers, base first, matched to `rootfs.diff_ids`.
    pub layers: Vec<Layer>,
    pub(crate) store: Box<dyn BlobStore>,
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("config_digest", &self.config_digest)
            .field("layers", &self.layers)
            .finish_non_exhaustive()
    }
}

/// Options that choose among what a source offers.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// The platform to pick from a multi-platform index; defaults to [`Platform::host`].
    pub platform: Option<Platform>,
}

/// Opens an image input and verifies its manifest and config.
pub fn open(input: &ImageInput, options: &OpenOptions) -> Result<Image, ImageError> {
    let name = input.display_name();
    match input {
        ImageInput::Archive(path) => {
            let store = ArchiveStore::open(path)?;
            if store.contains("manifest.json") {
                docker::open(Box::new(store), name, options)
            } else if store.contains("index.json") {
                oci::open(Box::new(store), ArtifactKind::OciArchive, name, options)
            } else {
                Err(ImageError::UnrecognisedInput {
                    path: path.display().to_string(),
                    reason: "it has neither `manifest.json` (docker-archive) nor `index.json` \
                             (OCI archive)"
                        .into(),
                })
            }
        }
        ImageInput::OciLayout(dir) => {
            if !dir.is_dir() {
                return Err(ImageError::UnrecognisedInput {
                    path: dir.display().to_string(),
                    reason: "it is not a directory".into(),
                });
            }
            let store = LayoutStore::new(dir);
            if !store.contains("index.json") {
                return Err(ImageError::UnrecognisedInput {
                    path: dir.display().to_string(),
                    reason: "it has no `index.json`, so it is not an OCI image layout".into(),
                });
            }
            oci::open(Box::new(store), ArtifactKind::OciLayout, name, options)
        }
        ImageInput::Registry { reference, client } => registry::open(reference, client, options),
    }
}

/// Reads, verifies and parses the config blob, then pairs its diff_ids with the layer
/// blobs the manifest lists.
fn finish(
    store: Box<dyn BlobStore>,
    kind: ArtifactKind,
    name: String,
    resolved: Resolved,
) -> Result<Image, ImageError> {
    let Resolved {
        config_path,
        config_digest,
        config_size,
        manifest_digest,
        repo_tags,
        layers,
    } = resolved;
    let config_path = config_path.as_str();
    let what = format!("config blob `{config_path}`");
    let bytes = read_document(store.as_ref(), config_path)?;
    let config_digest = match config_digest {
        Some(d) => {
            verify_bytes(config_path, &bytes, &d, config_size)?;
            d
        }
        None => crate::blob::sha256_digest(&bytes),
    };
    let config: ImageConfig =
        serde_json::from_slice(&bytes).map_err(|source| ImageError::Json { what, source })?;
    let diff_ids = &config.rootfs.diff_ids;
    if diff_ids.len() != layers.len() {
        return Err(ImageError::invalid(
            format!("config blob `{config_path}`"),
            format!(
                "rootfs.diff_ids lists {} layers but the manifest lists {}",
                diff_ids.len(),
                layers.len()
            ),
        ));
    }
    let history = config.layer_history();
    let layers = layers
        .into_iter()
        .zip(diff_ids.iter())
        .zip(history)
        .enumerate()
        .map(|(index, ((blob, diff_id), hist))| Layer {
            index,
            blob_path: blob.path,
            digest: blob.digest,
            size: blob.size,
            media_type: blob.media_type,
            diff_id: diff_id.clone(),
            created_by: hist.and_then(|h| h.created_by.clone()),
        })
        .collect();
    Ok(Image {
        kind,
        name,
        config,
        config_digest,
        manifest_digest,
        repo_tags,
        layers,
        store,
    })
}

/// What a source's manifest says, before the config is read.
struct Resolved {
    config_path: String,
    /// The config digest when the source names it (always, except odd docker archives).
    config_digest: Option<Digest>,
    /// The config size when a descriptor gives one.
    config_size: Option<u64>,
    manifest_digest: Option<Digest>,
    repo_tags: Vec<String>,
    layers: Vec<LayerBlob>,
}

/// A layer blob as a manifest names it, before it is paired with its diff_id.
struct LayerBlob {
    path: String,
    digest: Option<Digest>,
    size: u64,
    media_type: Option<String>,
}

/// `blobs/<algorithm>/<hex>`: the path of a blob in an OCI layout.
fn blob_path(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm(), digest.hex())
}

/// The inverse of [`blob_path`], for docker archives whose entries are OCI blobs.
fn digest_from_blob_path(path: &str) -> Option<Digest> {
    let rest = path.strip_prefix("blobs/")?;
    let (algorithm, hex) = rest.split_once('/')?;
    format!("{algorithm}:{hex}").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_platforms() {
        let p: Platform = "linux/arm64/v8".parse().unwrap();
        assert_eq!(p.variant.as_deref(), Some("v8"));
        assert_eq!(p.to_string(), "linux/arm64/v8");
        for bad in ["linux", "linux/", "/amd64", "a/b/c/d", ""] {
            assert!(bad.parse::<Platform>().is_err(), "{bad}");
        }
    }

    #[test]
    fn platform_matching_treats_missing_variant_as_any() {
        let want: Platform = "linux/arm64".parse().unwrap();
        assert!(want.matches(&"linux/arm64/v8".parse().unwrap()));
        let want_v7: Platform = "linux/arm/v7".parse().unwrap();
        assert!(!want_v7.matches(&"linux/arm/v6".parse().unwrap()));
        assert!(!want.matches(&"linux/amd64".parse().unwrap()));
    }

    #[test]
    fn blob_paths_round_trip() {
        let d: Digest = format!("sha256:{}", "c".repeat(64)).parse().unwrap();
        assert_eq!(digest_from_blob_path(&blob_path(&d)), Some(d));
        assert_eq!(digest_from_blob_path("abc/layer.tar"), None);
    }
}
