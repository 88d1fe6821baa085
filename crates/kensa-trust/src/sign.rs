//! Making cosign-compatible signatures: the simple-signing payload for a digest, signed
//! with a P-256 key, stored as cosign stores it (a layer of the `sha256-<hex>.sig`
//! manifest, added to those already there) and, on request, as an OCI 1.1 referrer.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kensa_core::Digest;
use kensa_registry::referrers_tag;

use crate::TrustError;
use crate::cosign::{
    ANNOTATION_KEY, ANNOTATION_PAYLOAD, ANNOTATION_SIGNATURE, ARTIFACT_SIGNATURE, Descriptor,
    MEDIA_OCI_CONFIG, MEDIA_OCI_EMPTY, MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST, SignatureManifest,
    signature_tag, tag_scheme_config,
};
use crate::keys::SigningKey;
use crate::simple_signing::{self, MEDIA_SIMPLE_SIGNING};
use crate::store::{Store, Stored};

/// Where a new signature is attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Attach {
    /// cosign's tag scheme (`sha256-<hex>.sig`), which every cosign verifies.
    #[default]
    Tag,
    /// An OCI 1.1 referrer (with the `sha256-<hex>` index kept up to date when the
    /// registry has no referrers API).
    Referrers,
    /// Both.
    Both,
}

/// What signing stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// The digest signed.
    pub digest: Digest,
    /// The payload blob's digest.
    pub payload: Digest,
    /// The signing key's fingerprint.
    pub key: String,
    /// The tag-scheme tag written, if any.
    pub tag: Option<String>,
    /// The referrer manifest pushed, if any.
    pub referrer: Option<Digest>,
}

/// Signs `subject` (the manifest or index to sign, as stored) for `docker_reference`
/// (`registry/repository`, which the payload records) with `key`.
pub fn sign(
    store: &dyn Store,
    subject: &Stored,
    docker_reference: &str,
    key: &SigningKey,
    attach: Attach,
) -> Result<Signed, TrustError> {
    let payload = simple_signing::build(docker_reference, subject.digest.as_str());
    let signature = STANDARD.encode(key.sign(&payload));
    let payload_digest = store.put_blob(&payload)?;
    let layer = Descriptor {
        media_type: MEDIA_SIMPLE_SIGNING.to_owned(),
        digest: payload_digest.clone(),
        size: payload.len() as u64,
        artifact_type: None,
        annotations: BTreeMap::from([
            (ANNOTATION_SIGNATURE.to_owned(), signature),
            (ANNOTATION_KEY.to_owned(), key.fingerprint.clone()),
            (ANNOTATION_PAYLOAD.to_owned(), payload_digest.to_string()),
        ]),
    };
    let mut signed = Signed {
        digest: subject.digest.clone(),
        payload: payload_digest,
        key: key.fingerprint.clone(),
        tag: None,
        referrer: None,
    };
    if matches!(attach, Attach::Tag | Attach::Both) {
        signed.tag = Some(attach_tag(store, &subject.digest, layer.clone())?);
    }
    if matches!(attach, Attach::Referrers | Attach::Both) {
        signed.referrer = Some(attach_referrer(store, subject, layer)?);
    }
    Ok(signed)
}

/// Adds `layer` to the tag-scheme manifest (creating it), keeping the signatures
/// already there, as cosign does; the same payload signed by the same key replaces its
/// earlier signature instead of piling up.
fn attach_tag(store: &dyn Store, digest: &Digest, layer: Descriptor) -> Result<String, TrustError> {
    let tag = signature_tag(digest);
    let mut layers = match store.tagged(&tag)? {
        Some(existing) => SignatureManifest::parse(&existing.bytes)
            .map_err(|reason| TrustError::Store {
                store: store.describe(),
                reason: format!("the existing signature manifest `{tag}` {reason}"),
            })?
            .layers
            .into_iter()
            .filter(|l| {
                !(l.digest == layer.digest
                    && l.annotations.get(ANNOTATION_KEY) == layer.annotations.get(ANNOTATION_KEY))
            })
            .collect(),
        None => Vec::new(),
    };
    layers.push(layer);
    let config = tag_scheme_config(&layers);
    let config_digest = store.put_blob(&config)?;
    let manifest = SignatureManifest {
        schema_version: 2,
        media_type: Some(MEDIA_OCI_MANIFEST.to_owned()),
        artifact_type: None,
        config: Descriptor {
            media_type: MEDIA_OCI_CONFIG.to_owned(),
            digest: config_digest,
            size: config.len() as u64,
            artifact_type: None,
            annotations: BTreeMap::new(),
        },
        layers,
        subject: None,
    };
    store.put_manifest(&manifest.to_bytes(), MEDIA_OCI_MANIFEST, Some(&tag), None)?;
    Ok(tag)
}

/// Pushes a referrer manifest for `subject`; when the store does not index subjects
/// itself, adds it to the `sha256-<hex>` fallback index (OCI distribution 1.1).
fn attach_referrer(
    store: &dyn Store,
    subject: &Stored,
    layer: Descriptor,
) -> Result<Digest, TrustError> {
    let empty = b"{}";
    let empty_digest = store.put_blob(empty)?;
    let manifest = SignatureManifest {
        schema_version: 2,
        media_type: Some(MEDIA_OCI_MANIFEST.to_owned()),
        artifact_type: Some(ARTIFACT_SIGNATURE.to_owned()),
        config: Descriptor {
            media_type: MEDIA_OCI_EMPTY.to_owned(),
            digest: empty_digest,
            size: empty.len() as u64,
            artifact_type: None,
            annotations: BTreeMap::new(),
        },
        layers: vec![layer],
        subject: Some(Descriptor {
            media_type: subject.media_type.clone(),
            digest: subject.digest.clone(),
            size: subject.bytes.len() as u64,
            artifact_type: None,
            annotations: BTreeMap::new(),
        }),
    };
    let bytes = manifest.to_bytes();
    let (digest, indexed) =
        store.put_manifest(&bytes, MEDIA_OCI_MANIFEST, None, Some(ARTIFACT_SIGNATURE))?;
    if !indexed {
        update_fallback_index(store, &subject.digest, &digest, bytes.len() as u64)?;
    }
    Ok(digest)
}

fn update_fallback_index(
    store: &dyn Store,
    subject: &Digest,
    referrer: &Digest,
    size: u64,
) -> Result<(), TrustError> {
    let tag = referrers_tag(subject);
    let mut index = match store.tagged(&tag)? {
        Some(existing) => match serde_json::from_slice(&existing.bytes) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => {
                return Err(TrustError::Store {
                    store: store.describe(),
                    reason: format!("the referrers index `{tag}` is not a JSON object"),
                });
            }
        },
        None => serde_json::Map::from_iter([
            ("schemaVersion".to_owned(), serde_json::json!(2)),
            ("mediaType".to_owned(), serde_json::json!(MEDIA_OCI_INDEX)),
        ]),
    };
    let entry = serde_json::json!({
        "mediaType": MEDIA_OCI_MANIFEST,
        "digest": referrer,
        "size": size,
        "artifactType": ARTIFACT_SIGNATURE,
    });
    let list = index
        .entry("manifests")
        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
    if let serde_json::Value::Array(list) = list {
        list.retain(|v| v.get("digest").and_then(|d| d.as_str()) != Some(referrer.as_str()));
        list.push(entry);
    }
    // Sorted keys whatever `serde_json/preserve_order` (turned on by yara-x) says, so the
    // index's bytes do not depend on which crates the build holds.
    let mut index = serde_json::Value::Object(index);
    index.sort_all_objects();
    let bytes = serde_json::to_vec(&index).unwrap_or_default();
    store.put_manifest(&bytes, MEDIA_OCI_INDEX, Some(&tag), None)?;
    Ok(())
}
