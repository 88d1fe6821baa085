//! Where signatures live: a registry repository or an OCI layout, behind one trait so
//! verifying and signing are written once.

use kensa_core::Digest;
use sha2::{Digest as _, Sha256};

use crate::TrustError;

/// A manifest as stored, with its digest and media type.
#[derive(Clone, Debug)]
pub struct Stored {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Their digest.
    pub digest: Digest,
    /// Its media type.
    pub media_type: String,
}

/// The referrers of a subject and how they were found, in words.
#[derive(Clone, Debug)]
pub struct Found {
    /// The referrer manifests' digests.
    pub digests: Vec<Digest>,
    /// `the referrers API`, `the referrers tag sha256-…`, …
    pub how: String,
}

/// A place signatures are read from and written to.
pub trait Store {
    /// The repository or layout, for messages.
    fn describe(&self) -> String;
    /// The manifest a tag names, or `None` when there is no such tag.
    fn tagged(&self, tag: &str) -> Result<Option<Stored>, TrustError>;
    /// A manifest by digest, checked against it.
    fn manifest(&self, digest: &Digest) -> Result<Stored, TrustError>;
    /// The manifests of `artifact_type` whose subject is `subject`.
    fn referrers(&self, subject: &Digest, artifact_type: &str) -> Result<Found, TrustError>;
    /// A small blob, at most `max` bytes, NOT checked against its digest: the caller
    /// checks, so that an altered payload is reported as such.
    fn blob(&self, digest: &Digest, max: u64) -> Result<Vec<u8>, TrustError>;
    /// Stores a blob, returning its digest.
    fn put_blob(&self, bytes: &[u8]) -> Result<Digest, TrustError>;
    /// Stores a manifest under `tag` (or only by digest), returning its digest and
    /// whether the store lists it as a referrer of its `subject` by itself.
    fn put_manifest(
        &self,
        bytes: &[u8],
        media_type: &str,
        tag: Option<&str>,
        artifact_type: Option<&str>,
    ) -> Result<(Digest, bool), TrustError>;
}

/// `sha256:<hex>` of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> Digest {
    let hash: [u8; 32] = Sha256::digest(bytes).into();
    Digest::sha256_from_bytes(&hash)
}
