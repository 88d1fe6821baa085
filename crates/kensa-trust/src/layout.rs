//! Signatures in an OCI image layout: blobs under `blobs/<alg>/<hex>`, and the signature
//! manifest listed in `index.json` as the layout's own manifest, named by the tag scheme
//! (`org.opencontainers.image.ref.name: sha256-<hex>.sig`) or, for a referrer, carrying
//! its `artifactType` and found by its `subject`. So an air-gapped pipeline can sign a
//! layout and push both later.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use kensa_core::Digest;
use serde_json::{Map, Value};

use crate::TrustError;
use crate::cosign::{Descriptor, MEDIA_OCI_INDEX, SignatureManifest};
use crate::store::{Found, Store, Stored, sha256};

const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// `index.json` and manifests are small; a larger one is not a real layout.
const MAX_DOCUMENT_BYTES: u64 = 4 * 1024 * 1024;
/// index.json entries read when looking for referrers.
const MAX_INDEX_ENTRIES: usize = 10_000;

/// An OCI layout directory.
pub struct LayoutStore {
    dir: PathBuf,
}

impl LayoutStore {
    /// The layout at `dir` (it must have an `index.json`).
    pub fn new(dir: &Path) -> Result<LayoutStore, TrustError> {
        let store = LayoutStore {
            dir: dir.to_owned(),
        };
        store.index()?;
        Ok(store)
    }

    fn fail(&self, reason: impl Into<String>) -> TrustError {
        TrustError::Store {
            store: format!("oci-layout:{}", self.dir.display()),
            reason: reason.into(),
        }
    }

    fn read_limited(&self, path: &Path, max: u64) -> Result<Vec<u8>, TrustError> {
        let name = path
            .strip_prefix(&self.dir)
            .unwrap_or(path)
            .display()
            .to_string();
        let file = fs_err::File::open(path).map_err(|e| self.fail(format!("{name}: {e}")))?;
        let mut bytes = Vec::new();
        file.take(max.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| self.fail(format!("reading `{name}`: {e}")))?;
        if bytes.len() as u64 > max {
            return Err(self.fail(format!("`{name}` is larger than {max} bytes")));
        }
        Ok(bytes)
    }

    fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.dir
            .join("blobs")
            .join(digest.algorithm())
            .join(digest.hex())
    }

    fn index(&self) -> Result<Map<String, Value>, TrustError> {
        let bytes = self.read_limited(&self.dir.join("index.json"), MAX_DOCUMENT_BYTES)?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(self.fail("`index.json` is not a JSON object")),
            Err(e) => Err(self.fail(format!("`index.json` is not JSON: {e}"))),
        }
    }

    fn entries(&self) -> Result<Vec<Descriptor>, TrustError> {
        let index = self.index()?;
        let Some(Value::Array(list)) = index.get("manifests") else {
            return Ok(Vec::new());
        };
        list.iter()
            .take(MAX_INDEX_ENTRIES)
            .map(|v| {
                serde_json::from_value(v.clone()).map_err(|e| {
                    self.fail(format!("an `index.json` entry is not a descriptor: {e}"))
                })
            })
            .collect()
    }

    /// The one image (manifest or index) the layout holds, not counting signatures and
    /// other artifacts: what `kensa sign oci-layout:DIR` signs.
    pub fn subject(&self) -> Result<Descriptor, TrustError> {
        let images: Vec<Descriptor> = self
            .entries()?
            .into_iter()
            .filter(|d| !is_artifact(d))
            .collect();
        match <[Descriptor; 1]>::try_from(images) {
            Ok([one]) => Ok(one),
            Err(images) if images.is_empty() => Err(self.fail("`index.json` lists no image")),
            Err(images) => Err(self.fail(format!(
                "`index.json` lists {} images; kensa signs and verifies a layout that holds one",
                images.len()
            ))),
        }
    }

    fn write_index(&self, index: &Map<String, Value>) -> Result<(), TrustError> {
        let bytes = serde_json::to_vec(index).map_err(|e| self.fail(e.to_string()))?;
        self.write_atomic(&self.dir.join("index.json"), &bytes)
    }

    /// Writes through a temporary file in the same directory and renames it into place,
    /// so a reader never sees half an `index.json` and a crash leaves the old one.
    fn write_atomic(&self, path: &Path, bytes: &[u8]) -> Result<(), TrustError> {
        let parent = path.parent().unwrap_or(&self.dir);
        fs_err::create_dir_all(parent).map_err(|e| self.fail(e.to_string()))?;
        let mut temp = tempfile::NamedTempFile::new_in(parent)
            .map_err(|e| self.fail(format!("creating a file in `{}`: {e}", parent.display())))?;
        std::io::Write::write_all(&mut temp, bytes)
            .map_err(|e| self.fail(format!("writing `{}`: {e}", path.display())))?;
        temp.persist(path)
            .map_err(|e| self.fail(format!("writing `{}`: {e}", path.display())))?;
        Ok(())
    }
}

/// Whether an index entry is a signature or another artifact rather than an image.
pub fn is_artifact(d: &Descriptor) -> bool {
    d.artifact_type.is_some()
        || d.annotations
            .get(REF_NAME)
            .is_some_and(|name| is_digest_tag(name))
}

/// `sha256-<hex>` with an optional `.sig`/`.att`/`.sbom` suffix: names of the tag scheme,
/// never of an image.
fn is_digest_tag(name: &str) -> bool {
    let base = name
        .strip_suffix(".sig")
        .or_else(|| name.strip_suffix(".att"))
        .or_else(|| name.strip_suffix(".sbom"))
        .unwrap_or(name);
    base.strip_prefix("sha256-")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl Store for LayoutStore {
    fn describe(&self) -> String {
        format!("oci-layout:{}", self.dir.display())
    }

    fn tagged(&self, tag: &str) -> Result<Option<Stored>, TrustError> {
        let entry = self
            .entries()?
            .into_iter()
            .find(|d| d.annotations.get(REF_NAME).map(String::as_str) == Some(tag));
        entry.map(|d| self.manifest(&d.digest)).transpose()
    }

    fn manifest(&self, digest: &Digest) -> Result<Stored, TrustError> {
        let bytes = self.read_limited(&self.blob_path(digest), MAX_DOCUMENT_BYTES)?;
        let actual = sha256(&bytes);
        if &actual != digest {
            return Err(self.fail(format!(
                "manifest `{digest}`: digest mismatch (its bytes hash to `{actual}`)"
            )));
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Shape {
            #[serde(default)]
            media_type: Option<String>,
            #[serde(default)]
            manifests: Option<serde::de::IgnoredAny>,
        }
        let shape: Shape = serde_json::from_slice(&bytes)
            .map_err(|e| self.fail(format!("manifest `{digest}` is not JSON: {e}")))?;
        let media_type = match (shape.media_type, shape.manifests) {
            (Some(m), _) => m,
            (None, Some(_)) => MEDIA_OCI_INDEX.to_owned(),
            (None, None) => crate::cosign::MEDIA_OCI_MANIFEST.to_owned(),
        };
        Ok(Stored {
            bytes,
            digest: actual,
            media_type,
        })
    }

    fn referrers(&self, subject: &Digest, artifact_type: &str) -> Result<Found, TrustError> {
        let mut digests = Vec::new();
        for entry in self.entries()? {
            if entry.artifact_type.as_deref() != Some(artifact_type) {
                continue;
            }
            let stored = self.manifest(&entry.digest)?;
            let manifest = SignatureManifest::parse(&stored.bytes)
                .map_err(|e| self.fail(format!("manifest `{}` {e}", entry.digest)))?;
            if manifest.subject.is_some_and(|s| &s.digest == subject) {
                digests.push(entry.digest);
            }
        }
        Ok(Found {
            digests,
            how: "the layout's referrer manifests".into(),
        })
    }

    fn blob(&self, digest: &Digest, max: u64) -> Result<Vec<u8>, TrustError> {
        self.read_limited(&self.blob_path(digest), max)
    }

    fn put_blob(&self, bytes: &[u8]) -> Result<Digest, TrustError> {
        let digest = sha256(bytes);
        let path = self.blob_path(&digest);
        if !path.is_file() {
            self.write_atomic(&path, bytes)?;
        }
        Ok(digest)
    }

    fn put_manifest(
        &self,
        bytes: &[u8],
        media_type: &str,
        tag: Option<&str>,
        artifact_type: Option<&str>,
    ) -> Result<(Digest, bool), TrustError> {
        let digest = self.put_blob(bytes)?;
        let mut descriptor = Descriptor {
            media_type: media_type.to_owned(),
            digest: digest.clone(),
            size: bytes.len() as u64,
            artifact_type: artifact_type.map(str::to_owned),
            annotations: Default::default(),
        };
        if let Some(tag) = tag {
            descriptor
                .annotations
                .insert(REF_NAME.to_owned(), tag.to_owned());
        }
        let mut index = self.index()?;
        let list = index
            .entry("manifests")
            .or_insert_with(|| Value::Array(Vec::new()));
        let Value::Array(list) = list else {
            return Err(self.fail("`index.json` `manifests` is not an array"));
        };
        // A tag names one manifest: the new one replaces what it named before.
        list.retain(|v| {
            let same_digest = v.get("digest").and_then(Value::as_str) == Some(digest.as_str());
            let same_tag = tag.is_some()
                && v.get("annotations")
                    .and_then(|a| a.get(REF_NAME))
                    .and_then(Value::as_str)
                    == tag;
            !same_digest && !same_tag
        });
        list.push(serde_json::to_value(&descriptor).map_err(|e| self.fail(e.to_string()))?);
        self.write_index(&index)?;
        // The layout lists referrers itself: `referrers` reads their subjects.
        Ok((digest, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_tags_are_recognised_and_image_tags_are_not() {
        let hex = "a".repeat(64);
        assert!(is_digest_tag(&format!("sha256-{hex}.sig")));
        assert!(is_digest_tag(&format!("sha256-{hex}")));
        assert!(!is_digest_tag("latest"));
        assert!(!is_digest_tag("sha256-abc.sig"));
    }
}
