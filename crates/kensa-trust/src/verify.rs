//! Verifying cosign key-based signatures of one digest: find every signature (tag
//! scheme and referrers), and accept the image when one verifies with one of the given
//! keys and signs this very digest.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kensa_core::Digest;

use crate::cosign::{
    ANNOTATION_KEY, ANNOTATION_PAYLOAD, ANNOTATION_SIGNATURE, ARTIFACT_SIGNATURE, Descriptor,
    SignatureManifest, signature_tag,
};
use crate::keys::{Mismatch, PublicKey};
use crate::simple_signing::{self, MAX_PAYLOAD_BYTES};
use crate::store::{Store, sha256};
use crate::{Failure, FailureReason, TrustError};

/// A signature that verified (kensa-core's report record).
pub type Verified = kensa_core::VerifiedSignature;

/// Signature manifests read from referrers, at most.
pub const MAX_REFERRER_MANIFESTS: usize = 32;

/// Verifies `digest` (named `image` in messages) against `keys`: `Ok` with every
/// signature that verified, or the error saying there was none, or why each failed.
pub fn verify(
    store: &dyn Store,
    image: &str,
    digest: &Digest,
    keys: &[PublicKey],
) -> Result<Vec<Verified>, TrustError> {
    let tag = signature_tag(digest);
    let mut failures = Vec::new();
    let mut manifests = Vec::new();
    if let Some(stored) = store.tagged(&tag)? {
        manifests.push((format!("tag `{tag}`"), stored.bytes));
    }
    let referrers = store.referrers(digest, ARTIFACT_SIGNATURE)?;
    // Each referrer costs a request; an image with more signature manifests than this
    // is not one whose signatures anyone reviews, and the rest are reported as unread.
    if referrers.digests.len() > MAX_REFERRER_MANIFESTS {
        failures.push(Failure {
            location: referrers.how.clone(),
            reason: FailureReason::BadPayload {
                reason: format!(
                    "{} signature referrers; only the first {MAX_REFERRER_MANIFESTS} were read",
                    referrers.digests.len()
                ),
            },
        });
    }
    for d in referrers.digests.iter().take(MAX_REFERRER_MANIFESTS) {
        let stored = store.manifest(d)?;
        manifests.push((format!("referrer `{d}`"), stored.bytes));
    }
    let mut verified = Vec::new();
    let mut seen = 0;
    for (where_, bytes) in &manifests {
        let manifest = match SignatureManifest::parse(bytes) {
            Ok(m) => m,
            Err(reason) => {
                failures.push(Failure {
                    location: where_.clone(),
                    reason: FailureReason::BadPayload {
                        reason: format!("the signature manifest {reason}"),
                    },
                });
                continue;
            }
        };
        for (i, layer) in manifest.signature_layers() {
            seen += 1;
            let location = format!("{where_}, layer {i}");
            match check(store, layer, digest, keys) {
                Ok((key, docker_reference)) => verified.push(Verified {
                    method: "cosign".into(),
                    key: key.fingerprint.clone(),
                    key_source: key.source.clone(),
                    digest: digest.clone(),
                    docker_reference,
                    location,
                }),
                Err(reason) => failures.push(Failure { location, reason }),
            }
        }
    }
    if !verified.is_empty() {
        return Ok(verified);
    }
    if seen == 0 && failures.is_empty() {
        return Err(TrustError::NoSignature {
            image: image.to_owned(),
            digest: digest.to_string(),
            looked: format!("tag `{tag}` or {}", referrers.how),
        });
    }
    Err(TrustError::NotVerified {
        image: image.to_owned(),
        digest: digest.to_string(),
        failures,
    })
}

/// One signature layer against the keys: the key that verified it and the payload's
/// docker reference, or the first check that failed.
fn check<'k>(
    store: &dyn Store,
    layer: &Descriptor,
    digest: &Digest,
    keys: &'k [PublicKey],
) -> Result<(&'k PublicKey, String), FailureReason> {
    let malformed = |reason: String| FailureReason::SignatureMalformed { reason };
    let encoded = layer.annotations.get(ANNOTATION_SIGNATURE).ok_or_else(|| {
        malformed(format!(
            "the layer has no `{ANNOTATION_SIGNATURE}` annotation"
        ))
    })?;
    let signature = STANDARD.decode(encoded.trim()).map_err(|e| {
        malformed(format!(
            "the `{ANNOTATION_SIGNATURE}` annotation is not base64: {e}"
        ))
    })?;
    if layer.size > MAX_PAYLOAD_BYTES {
        return Err(FailureReason::BadPayload {
            reason: format!(
                "the payload is {} bytes, more than a simple-signing payload's {MAX_PAYLOAD_BYTES}",
                layer.size
            ),
        });
    }
    let payload =
        store
            .blob(&layer.digest, MAX_PAYLOAD_BYTES)
            .map_err(|e| FailureReason::BadPayload {
                reason: format!("the payload blob could not be read: {e}"),
            })?;
    let actual = sha256(&payload);
    if actual != layer.digest {
        return Err(FailureReason::PayloadAltered {
            expected: layer.digest.to_string(),
            actual: actual.to_string(),
        });
    }
    let mut malformed_reasons = Vec::new();
    for key in keys {
        match key.verify(&payload, &signature) {
            Ok(()) => {
                let parsed = simple_signing::parse(&payload)
                    .map_err(|reason| FailureReason::BadPayload { reason })?;
                if parsed.manifest_digest != digest.as_str() {
                    return Err(FailureReason::ForAnotherDigest {
                        signed: parsed.manifest_digest,
                    });
                }
                return Ok((key, parsed.docker_reference));
            }
            Err(Mismatch::Malformed(reason)) => malformed_reasons.push(reason),
            Err(Mismatch::DoesNotVerify) => {}
        }
    }
    if !keys.is_empty() && malformed_reasons.len() == keys.len() {
        return Err(malformed(malformed_reasons.join("; ")));
    }
    // Nothing verified. kensa's own records of what it signed, if present, tell which
    // part changed; they only choose the message, never the verdict.
    let recorded_key = layer.annotations.get(ANNOTATION_KEY);
    if let Some(key) = recorded_key
        && !keys.iter().any(|k| &k.fingerprint == key)
    {
        return Err(FailureReason::OtherKey { key: key.clone() });
    }
    if let Some(signed) = layer.annotations.get(ANNOTATION_PAYLOAD)
        && signed != actual.as_str()
    {
        return Err(FailureReason::PayloadAltered {
            expected: signed.clone(),
            actual: actual.to_string(),
        });
    }
    match recorded_key {
        Some(key) => Err(FailureReason::SignatureAltered { key: key.clone() }),
        None => Err(FailureReason::NoKeyMatches),
    }
}
