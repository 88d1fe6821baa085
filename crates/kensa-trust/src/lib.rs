//! Image trust (SP 800-190 4.1.5): verifies and makes cosign key-based image signatures,
//! in a registry or an OCI layout, and verifies Notary Project ([`notation`]) ones.
//!
//! One module per part of the format: [`simple_signing`] (the signed payload),
//! [`cosign`] (how signatures sit in a registry: the `sha256-<hex>.sig` tag and OCI 1.1
//! referrers), [`keys`] (PKIX public keys: ECDSA P-256, RSA, Ed25519; P-256 signing
//! keys in PKCS#8, optionally encrypted). [`verify()`] finds every signature of a digest
//! and says, for each, which check failed; [`sign()`] stores a new one where cosign
//! looks. [`Store`] is where signatures live: a registry repository
//! ([`RegistryStore`]) or an OCI layout ([`LayoutStore`]). [`scan`] turns a
//! verification into kensa-core findings, notes and report records for `kensa image`.

pub mod cosign;
mod error;
pub mod keys;
mod layout;
pub mod notation;
mod registry;
pub mod scan;
mod sign;
pub mod simple_signing;
mod store;
mod verify;

pub use error::{Failure, FailureReason, TrustError};
pub use keys::{KeyPair, PublicKey, SigningKey};
pub use layout::{LayoutStore, is_artifact};
pub use registry::RegistryStore;
pub use sign::{Attach, Signed, sign};
pub use store::{Found, Store, Stored};
pub use verify::{MAX_REFERRER_MANIFESTS, Verified, verify};
