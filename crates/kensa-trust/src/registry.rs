//! Signatures in a registry repository, through kensa-registry's client.

use std::io::Read as _;

use kensa_core::Digest;
use kensa_registry::{Client, Reference, ReferrersSource, RegistryError, referrers_tag};

use crate::TrustError;
use crate::store::{Found, Store, Stored};

/// One repository of a registry.
pub struct RegistryStore<'a> {
    client: &'a Client,
    reference: Reference,
}

impl<'a> RegistryStore<'a> {
    /// The repository `reference` names (its tag or digest does not matter here).
    pub fn new(client: &'a Client, reference: &Reference) -> RegistryStore<'a> {
        RegistryStore {
            client,
            reference: reference.clone(),
        }
    }

    fn with_tag(&self, tag: &str) -> Result<Reference, TrustError> {
        Ok(Reference::parse(&format!(
            "{}/{}:{tag}",
            self.reference.registry(),
            self.reference.repository()
        ))?)
    }
}

impl Store for RegistryStore<'_> {
    fn describe(&self) -> String {
        self.reference.name()
    }

    fn tagged(&self, tag: &str) -> Result<Option<Stored>, TrustError> {
        match self.client.manifest(&self.with_tag(tag)?) {
            Ok(m) => Ok(Some(Stored {
                bytes: m.bytes,
                digest: m.digest,
                media_type: m.media_type,
            })),
            Err(RegistryError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn manifest(&self, digest: &Digest) -> Result<Stored, TrustError> {
        let m = self
            .client
            .manifest(&self.reference.with_digest(digest.clone()))?;
        Ok(Stored {
            bytes: m.bytes,
            digest: m.digest,
            media_type: m.media_type,
        })
    }

    fn referrers(&self, subject: &Digest, artifact_type: &str) -> Result<Found, TrustError> {
        let found = self
            .client
            .referrers(&self.reference, subject, Some(artifact_type))?;
        let how = match found.source {
            ReferrersSource::Api => "the referrers API".to_owned(),
            ReferrersSource::TagSchema => {
                format!("the referrers tag `{}`", referrers_tag(subject))
            }
            ReferrersSource::None => format!(
                "the referrers tag `{}` (the registry has no referrers API)",
                referrers_tag(subject)
            ),
        };
        Ok(Found {
            digests: found.referrers.into_iter().map(|r| r.digest).collect(),
            how,
        })
    }

    fn blob(&self, digest: &Digest, max: u64) -> Result<Vec<u8>, TrustError> {
        let blob = self.client.blob(&self.reference, digest, max)?;
        let mut bytes = Vec::new();
        blob.reader
            .take(max.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| RegistryError::Transport {
                registry: self.reference.registry().to_owned(),
                reason: format!("reading blob `{digest}`: {e}"),
            })?;
        if bytes.len() as u64 > max {
            return Err(RegistryError::TooLarge {
                registry: self.reference.registry().to_owned(),
                what: format!("blob `{digest}`"),
                limit: max,
            }
            .into());
        }
        Ok(bytes)
    }

    fn put_blob(&self, bytes: &[u8]) -> Result<Digest, TrustError> {
        Ok(self.client.push_blob(&self.reference, bytes)?)
    }

    fn put_manifest(
        &self,
        bytes: &[u8],
        media_type: &str,
        tag: Option<&str>,
        _artifact_type: Option<&str>,
    ) -> Result<(Digest, bool), TrustError> {
        let pushed = self
            .client
            .push_manifest(&self.reference, tag, media_type, bytes)?;
        Ok((pushed.digest, pushed.subject_indexed))
    }
}
