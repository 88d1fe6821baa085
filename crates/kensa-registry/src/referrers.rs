//! OCI 1.1 referrers: the manifests whose `subject` is a given manifest (signatures,
//! attestations, SBOMs). The referrers API (`GET /v2/<name>/referrers/<digest>`) is
//! asked first; a registry without it answers 404, and then the tag-schema fallback is
//! read: an index tagged `sha256-<hex>` that pushers keep up to date.

use std::collections::BTreeMap;
use std::io::Read as _;

use kensa_core::Digest;
use serde::{Deserialize, Serialize};

use crate::client::{Client, MAX_MANIFEST_BYTES, MEDIA_OCI_INDEX};
use crate::{Reference, RegistryError};

/// Referrer lists longer than this are cut: a subject with thousands of referrers is
/// not one kensa can judge in a scan, and the list is only ever filtered.
pub const MAX_REFERRERS: usize = 1000;

/// One entry of a referrers list: a descriptor of a manifest that refers to the subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Referrer {
    /// The referrer manifest's media type.
    pub media_type: String,
    /// Its digest.
    pub digest: Digest,
    /// Its size in bytes.
    pub size: u64,
    /// What kind of artifact it is (`application/vnd.dev.cosign.artifact.sig.v1+json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// Its annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// How a referrers list was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferrersSource {
    /// The registry's referrers API.
    Api,
    /// The `sha256-<hex>` tag (the registry has no referrers API).
    TagSchema,
    /// Neither: no API and no fallback tag, so nothing refers to the subject.
    None,
}

/// A subject's referrers and where they came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referrers {
    /// The referrers, filtered by artifact type when one was asked for.
    pub referrers: Vec<Referrer>,
    /// Where the list came from.
    pub source: ReferrersSource,
}

#[derive(Deserialize)]
struct IndexDoc {
    #[serde(default)]
    manifests: Vec<Referrer>,
}

/// The fallback tag for `subject`: `sha256-<hex>` (OCI distribution spec 1.1).
pub fn referrers_tag(subject: &Digest) -> String {
    format!("{}-{}", subject.algorithm(), subject.hex())
}

impl Client {
    /// The manifests that refer to `subject` in `reference`'s repository, keeping only
    /// those of `artifact_type` when one is given (the registry may filter; kensa
    /// filters again, as the spec lets a registry ignore the filter).
    pub fn referrers(
        &self,
        reference: &Reference,
        subject: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<Referrers, RegistryError> {
        let mut url = format!("{}/referrers/{subject}", self.base(reference));
        if let Some(t) = artifact_type {
            url.push_str(&format!("?artifactType={}", crate::auth::encode_query(t)));
        }
        let what = format!("referrers of `{}@{subject}`", reference.repository());
        let (list, source) = match self.get(reference, &url, MEDIA_OCI_INDEX, &what, "referrers") {
            Ok(mut response) => {
                let mut bytes = Vec::new();
                response
                    .body_mut()
                    .as_reader()
                    .take(MAX_MANIFEST_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| RegistryError::Transport {
                        registry: reference.registry().to_owned(),
                        reason: format!("reading {what}: {e}"),
                    })?;
                (
                    self.parse_index(reference, &what, &bytes)?,
                    ReferrersSource::Api,
                )
            }
            Err(RegistryError::NotFound { .. }) => {
                let tag = referrers_tag(subject);
                let tagged = Reference::parse(&format!(
                    "{}/{}:{tag}",
                    reference.registry(),
                    reference.repository()
                ))?;
                match self.manifest(&tagged) {
                    Ok(index) if index.is_index() => (
                        self.parse_index(reference, &format!("index `{tag}`"), &index.bytes)?,
                        ReferrersSource::TagSchema,
                    ),
                    Ok(other) => {
                        return Err(RegistryError::MediaType {
                            registry: reference.registry().to_owned(),
                            repository: reference.repository().to_owned(),
                            reference: tag,
                            media_type: other.media_type,
                        });
                    }
                    Err(RegistryError::NotFound { .. }) => (Vec::new(), ReferrersSource::None),
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        let referrers = list
            .into_iter()
            .filter(|r| artifact_type.is_none_or(|t| r.artifact_type.as_deref() == Some(t)))
            .take(MAX_REFERRERS)
            .collect();
        Ok(Referrers { referrers, source })
    }

    fn parse_index(
        &self,
        reference: &Reference,
        what: &str,
        bytes: &[u8],
    ) -> Result<Vec<Referrer>, RegistryError> {
        if bytes.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(RegistryError::TooLarge {
                registry: reference.registry().to_owned(),
                what: what.to_owned(),
                limit: MAX_MANIFEST_BYTES,
            });
        }
        let index: IndexDoc =
            serde_json::from_slice(bytes).map_err(|e| RegistryError::Transport {
                registry: reference.registry().to_owned(),
                reason: format!("{what} is not an OCI index: {e}"),
            })?;
        Ok(index.manifests)
    }
}
