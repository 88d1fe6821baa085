//! What can go wrong verifying or making a signature. Verification failures say which
//! check failed, for every signature that was looked at.

use std::fmt;

use kensa_registry::RegistryError;

/// An error from kensa-trust.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// A key file that cannot be used.
    #[error("key `{path}`: {reason}")]
    Key {
        /// The file (or where the key came from).
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The operating system's random generator failed, or a key could not be encoded.
    #[error("key generation: {0}")]
    Random(String),
    /// Talking to the registry failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// A signature store (a layout, a repository) holding something kensa cannot use,
    /// or a layout that cannot be read or written.
    #[error("`{store}`: {reason}")]
    Store {
        /// The layout (`oci-layout:DIR`) or repository.
        store: String,
        /// What failed.
        reason: String,
    },
    /// No signature was found for the image.
    #[error(
        "`{image}` ({digest}) is not signed: no cosign signature at {looked}; sign it with \
         `kensa sign {image} --key KEY` or `cosign sign --key KEY`"
    )]
    NoSignature {
        /// The image as the user named it.
        image: String,
        /// The digest looked up.
        digest: String,
        /// Where kensa looked, in words.
        looked: String,
    },
    /// Signatures were found, but none verifies.
    #[error("`{image}` ({digest}): no signature verifies with the given key(s){}", Failures(.failures))]
    NotVerified {
        /// The image as the user named it.
        image: String,
        /// The image digest.
        digest: String,
        /// Why each signature failed.
        failures: Vec<Failure>,
    },
}

/// Why one signature was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Where the signature was found (`tag sha256-….sig, layer 0`).
    pub location: String,
    /// Which check failed.
    pub reason: FailureReason,
}

/// Which check a signature failed. Each has its own message, so a user can tell an
/// attack (a copied or altered signature) from a configuration problem (another key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureReason {
    /// The signature verifies with a trusted key, but its payload names another image.
    ForAnotherDigest {
        /// The digest the payload signs.
        signed: String,
    },
    /// The payload blob's bytes do not hash to the digest its descriptor names, or
    /// differ from what the signer recorded having signed.
    PayloadAltered {
        /// What the payload should hash to.
        expected: String,
        /// What it hashes to.
        actual: String,
    },
    /// The signature annotation is missing, not base64, or not a signature of the key's
    /// algorithm.
    SignatureMalformed {
        /// What is wrong with it.
        reason: String,
    },
    /// The signer's key is one of the given keys (by the fingerprint kensa records when
    /// it signs), yet the signature does not verify over the payload: the signature
    /// bytes were changed.
    SignatureAltered {
        /// The key's fingerprint.
        key: String,
    },
    /// The signature records (kensa's `dev.kensa/key` annotation) a key that is not one
    /// of the given ones.
    OtherKey {
        /// The fingerprint of the key that signed.
        key: String,
    },
    /// The signature does not verify with any given key and carries no record of its
    /// key: it was made with another key, or the payload or signature changed after
    /// signing. Cryptography cannot tell those apart without such a record.
    NoKeyMatches,
    /// A Notary Project check failed (`integrity`, `authenticity`, `trusted identity`,
    /// `expiry`, `envelope`).
    Notation {
        /// Which check.
        check: &'static str,
        /// Why.
        reason: String,
    },
    /// The payload verifies but is not a cosign simple-signing payload.
    BadPayload {
        /// What is wrong with it.
        reason: String,
    },
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureReason::ForAnotherDigest { signed } => write!(
                f,
                "signature for another image: its payload signs `{signed}`, not this digest"
            ),
            FailureReason::PayloadAltered { expected, actual } => write!(
                f,
                "payload tampered: it hashes to `{actual}`, not the `{expected}` that was signed"
            ),
            FailureReason::SignatureMalformed { reason } => {
                write!(f, "signature tampered or malformed: {reason}")
            }
            FailureReason::SignatureAltered { key } => write!(
                f,
                "signature tampered: it does not verify with the key that made it (`{key}`)"
            ),
            FailureReason::OtherKey { key } => write!(
                f,
                "signed by another key: `{key}` is not one of the given keys"
            ),
            FailureReason::NoKeyMatches => f.write_str(
                "signed by another key, or payload or signature altered: it does not verify \
                 with any of the given keys",
            ),
            FailureReason::Notation { check, reason } => write!(f, "{check}: {reason}"),
            FailureReason::BadPayload { reason } => {
                write!(f, "not a cosign image signature: {reason}")
            }
        }
    }
}

struct Failures<'a>(&'a [Failure]);

impl fmt::Display for Failures<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [one] => write!(f, ": {} ({})", one.reason, one.location),
            many => {
                for failure in many {
                    write!(f, "\n  {}: {}", failure.location, failure.reason)?;
                }
                Ok(())
            }
        }
    }
}
