//! An OCI distribution-spec v1.1 pull client: image references, registry auth, verified
//! manifests and streamed blobs.
//!
//! [`Reference`] parses what a user types (`alpine`, `ghcr.io/org/app:1.4`,
//! `host:5000/app@sha256:…`) the way docker does. [`Client`] fetches manifests and
//! indexes (refusing Docker schema 1), checking each against the digest that names it and
//! a size limit, and opens blobs as streams so layers go from the network straight into
//! the walker. Auth follows the `WWW-Authenticate` challenge (anonymous, basic, bearer
//! tokens scoped per repository) with credentials from flags, the environment or
//! `~/.docker/config.json` and its credential helpers; no credential or token appears in
//! any error or `Debug` output. Choosing a platform from an index and walking layers are
//! `kensa-image`'s job.
//!
//! [`Client::tags`] lists a repository's tags (following `Link` pagination), and
//! [`hygiene`] describes each tag and judges it by a retention policy, which it can also
//! print as the equivalent Amazon ECR lifecycle policy. [`Client::push_blob`] and
//! [`Client::push_manifest`] are the little of the push API that signing needs, and
//! [`Client::referrers`] lists OCI 1.1 referrers (the API, else the `sha256-<hex>` tag
//! fallback).

mod auth;
mod client;
mod documents;
mod error;
pub mod hygiene;
mod push;
mod reference;
mod referrers;
mod tags;

pub use auth::{CredentialSources, Credentials, Secret};
pub use client::{
    Blob, Client, ClientOptions, MAX_MANIFEST_BYTES, MEDIA_DOCKER_LIST, MEDIA_DOCKER_MANIFEST,
    MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST, Manifest,
};
pub use documents::record_tag;
pub use error::RegistryError;
pub use push::{MAX_PUSH_BYTES, PushedManifest};
pub use reference::{DOCKER_HUB, Reference};
pub use referrers::{MAX_REFERRERS, Referrer, Referrers, ReferrersSource, referrers_tag};
pub use tags::MAX_TAGS;
