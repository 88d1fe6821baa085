//! cosign's on-registry signature format (cosign's SIGNATURE_SPEC): an OCI image
//! manifest whose layers are simple-signing payloads, each with its base64 signature in
//! the `dev.cosignproject.cosign/signature` annotation. Found under the tag
//! `sha256-<hex>.sig`, or as an OCI 1.1 referrer of artifact type
//! `application/vnd.dev.cosign.artifact.sig.v1+json`.

use std::collections::BTreeMap;

use kensa_core::Digest;
use serde::{Deserialize, Serialize};

use crate::simple_signing::MEDIA_SIMPLE_SIGNING;

/// The annotation holding the base64 signature.
pub const ANNOTATION_SIGNATURE: &str = "dev.cosignproject.cosign/signature";
/// kensa's record of the signing key's fingerprint. cosign ignores it; kensa uses it
/// only to say which check failed, never to decide whether a signature verifies.
pub const ANNOTATION_KEY: &str = "dev.kensa/key";
/// kensa's record of the payload digest it signed, for the same diagnostic use.
pub const ANNOTATION_PAYLOAD: &str = "dev.kensa/payload";
/// The artifact type of a cosign signature stored as a referrer.
pub const ARTIFACT_SIGNATURE: &str = "application/vnd.dev.cosign.artifact.sig.v1+json";
/// An OCI image manifest.
pub const MEDIA_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// An OCI index (the referrers fallback tag).
pub const MEDIA_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// The image config media type cosign's tag-scheme manifests use.
pub const MEDIA_OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// OCI 1.1's empty descriptor, the config of an artifact manifest.
pub const MEDIA_OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// Signature manifests with more layers than this are not checked past it: each layer
/// costs a blob request.
pub const MAX_SIGNATURES_PER_MANIFEST: usize = 64;

/// An OCI descriptor, as far as signatures need one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The media type of what it points at.
    pub media_type: String,
    /// Its digest.
    pub digest: Digest,
    /// Its size.
    pub size: u64,
    /// OCI 1.1 artifact type (in index entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// A signature manifest (tag scheme or referrer).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureManifest {
    /// Always 2.
    pub schema_version: u32,
    /// The manifest media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// OCI 1.1 artifact type, on referrers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// The config blob.
    pub config: Descriptor,
    /// One layer per signature.
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    /// The signed image, on referrers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
}

impl SignatureManifest {
    /// Parses a signature manifest (cosign tag scheme, cosign or Notary Project referrer).
    pub fn parse(bytes: &[u8]) -> Result<SignatureManifest, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("is not an image manifest: {e}"))
    }

    /// The simple-signing layers: the signatures it holds.
    pub fn signature_layers(&self) -> impl Iterator<Item = (usize, &Descriptor)> {
        self.layers
            .iter()
            .enumerate()
            .filter(|(_, l)| l.media_type == MEDIA_SIMPLE_SIGNING)
            .take(MAX_SIGNATURES_PER_MANIFEST)
    }

    /// The bytes pushed: compact JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serialising these plain structs cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The tag-scheme tag for `digest`: `sha256-<hex>.sig`.
pub fn signature_tag(digest: &Digest) -> String {
    format!("{}-{}.sig", digest.algorithm(), digest.hex())
}

/// The image config of a tag-scheme signature manifest, as go-containerregistry writes
/// it for cosign: an empty image whose `rootfs.diff_ids` are the payloads' digests.
pub fn tag_scheme_config(layers: &[Descriptor]) -> Vec<u8> {
    let diff_ids: Vec<&str> = layers.iter().map(|l| l.digest.as_str()).collect();
    let history: Vec<serde_json::Value> = layers
        .iter()
        .map(|_| serde_json::json!({ "created": "0001-01-01T00:00:00Z" }))
        .collect();
    let mut config = serde_json::json!({
        "architecture": "",
        "created": "0001-01-01T00:00:00Z",
        "history": history,
        "os": "",
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
        "config": {},
    });
    // Sorted keys, as go-containerregistry writes them, whether or not some crate of the
    // build turns on `serde_json/preserve_order` (yara-x does): the digest must not move.
    config.sort_all_objects();
    serde_json::to_vec(&config).unwrap_or_default()
}
