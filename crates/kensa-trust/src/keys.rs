//! Keys as cosign writes and reads them: public keys in PKIX PEM (`PUBLIC KEY`) for
//! ECDSA P-256, RSA and Ed25519, and kensa's own P-256 signing keys in PKCS#8 PEM,
//! optionally encrypted (PBES2: scrypt and AES-256-CBC).

use std::fmt;

use ed25519_dalek::pkcs8::DecodePublicKey as _;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _, LineEnding};
use sha2::{Digest as _, Sha256};

use crate::TrustError;

/// Algorithm OIDs of the SubjectPublicKeyInfo (RFC 5480, RFC 8017, RFC 8410).
const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const OID_ED25519: &str = "1.3.101.112";

/// A trusted public key.
#[derive(Clone)]
pub struct PublicKey {
    /// Where it came from (a file name), for messages.
    pub source: String,
    /// `sha256:<hex>` of the DER SubjectPublicKeyInfo.
    pub fingerprint: String,
    key: KeyKind,
}

#[derive(Clone)]
enum KeyKind {
    P256(p256::ecdsa::VerifyingKey),
    Rsa(rsa::PublicKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("source", &self.source)
            .field("algorithm", &self.algorithm())
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

/// Why a signature did not verify with one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Mismatch {
    /// The bytes are not a signature of this key's algorithm at all.
    Malformed(String),
    /// A well-formed signature that this key did not make over these bytes.
    DoesNotVerify,
}

impl PublicKey {
    /// Parses a PKIX `PUBLIC KEY` PEM; `source` names it in errors.
    pub fn from_pem(pem: &str, source: &str) -> Result<PublicKey, TrustError> {
        let bad = |reason: String| TrustError::Key {
            path: source.to_owned(),
            reason,
        };
        let (label, der) = pem_rfc7468_decode(pem).map_err(bad)?;
        if label != "PUBLIC KEY" {
            return Err(bad(format!(
                "holds a `{label}` PEM block, not a `PUBLIC KEY` (PKIX); \
                 give the public key (`cosign.pub`), not the private one"
            )));
        }
        let spki = spki::SubjectPublicKeyInfoRef::try_from(der.as_slice())
            .map_err(|e| bad(format!("is not a SubjectPublicKeyInfo: {e}")))?;
        let oid = spki.algorithm.oid.to_string();
        let key = match oid.as_str() {
            OID_EC_PUBLIC_KEY => p256::ecdsa::VerifyingKey::from_public_key_der(&der)
                .map(KeyKind::P256)
                .map_err(|e| {
                    bad(format!(
                        "is an EC key kensa cannot use (only P-256 is supported): {e}"
                    ))
                })?,
            OID_RSA_ENCRYPTION => rsa::PublicKey::from_public_key_der(&der)
                .map(KeyKind::Rsa)
                .map_err(|e| bad(format!("is not a usable RSA key: {e}")))?,
            OID_ED25519 => ed25519_dalek::VerifyingKey::from_public_key_der(&der)
                .map(KeyKind::Ed25519)
                .map_err(|e| bad(format!("is not a usable Ed25519 key: {e}")))?,
            other => {
                return Err(bad(format!(
                    "has key algorithm `{other}`; kensa verifies ECDSA P-256, RSA and Ed25519"
                )));
            }
        };
        Ok(PublicKey {
            source: source.to_owned(),
            fingerprint: fingerprint(&der),
            key,
        })
    }

    /// Reads and parses a public key file.
    pub fn from_file(path: &std::path::Path) -> Result<PublicKey, TrustError> {
        let source = path.display().to_string();
        let text = fs_err::read_to_string(path).map_err(|e| TrustError::Key {
            path: source.clone(),
            reason: e.to_string(),
        })?;
        PublicKey::from_pem(&text, &source)
    }

    /// `ecdsa-p256`, `rsa` or `ed25519`.
    pub fn algorithm(&self) -> &'static str {
        match self.key {
            KeyKind::P256(_) => "ecdsa-p256",
            KeyKind::Rsa(_) => "rsa",
            KeyKind::Ed25519(_) => "ed25519",
        }
    }

    /// Checks `signature` over `message` as cosign does for this kind of key: ECDSA
    /// over SHA-256 with an ASN.1 DER signature; RSA PKCS#1 v1.5 with SHA-256 (cosign's
    /// default for RSA keys), else RSA-PSS with SHA-256 and any salt length; Ed25519
    /// over the message itself.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Mismatch> {
        match &self.key {
            KeyKind::P256(key) => {
                let sig = p256::ecdsa::DerSignature::from_bytes(signature).map_err(|_| {
                    Mismatch::Malformed("not a DER-encoded ECDSA P-256 signature".into())
                })?;
                key.verify(message, &sig)
                    .map_err(|_| Mismatch::DoesNotVerify)
            }
            KeyKind::Rsa(key) => {
                let size = rsa::traits::PublicKeyParts::size(key);
                if signature.len() != size {
                    return Err(Mismatch::Malformed(format!(
                        "{} bytes long, not the {size} bytes of an RSA signature by this key",
                        signature.len()
                    )));
                }
                let sig = rsa::pkcs1v15::Signature::try_from(signature)
                    .map_err(|_| Mismatch::Malformed("not an RSA signature".into()))?;
                let pkcs1 = rsa::pkcs1v15::VerifyingKey::<sha2_11::Sha256>::new(key.clone());
                if rsa::signature::Verifier::verify(&pkcs1, message, &sig).is_ok() {
                    return Ok(());
                }
                let sig = rsa::pss::Signature::try_from(signature)
                    .map_err(|_| Mismatch::Malformed("not an RSA signature".into()))?;
                let pss =
                    rsa::pss::VerifyingKey::<sha2_11::Sha256>::new_with_auto_salt_len(key.clone());
                rsa::signature::Verifier::verify(&pss, message, &sig)
                    .map_err(|_| Mismatch::DoesNotVerify)
            }
            KeyKind::Ed25519(key) => {
                let sig = ed25519_dalek::Signature::from_slice(signature).map_err(|_| {
                    Mismatch::Malformed(format!(
                        "{} bytes long, not the 64 bytes of an Ed25519 signature",
                        signature.len()
                    ))
                })?;
                key.verify_strict(message, &sig)
                    .map_err(|_| Mismatch::DoesNotVerify)
            }
        }
    }
}

/// A P-256 signing key (what `kensa keygen` makes).
pub struct SigningKey {
    key: p256::ecdsa::SigningKey,
    /// The public key's fingerprint, `sha256:<hex>` of its SubjectPublicKeyInfo.
    pub fingerprint: String,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// A new key pair as PEM text.
pub struct KeyPair {
    /// PKCS#8 `PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY` when a passphrase was given.
    pub private_pem: String,
    /// PKIX `PUBLIC KEY`, as cosign reads it.
    pub public_pem: String,
    /// `sha256:<hex>` of the public key's SubjectPublicKeyInfo.
    pub fingerprint: String,
}

impl SigningKey {
    /// A fresh random P-256 key from the operating system's generator.
    pub fn generate() -> Result<SigningKey, TrustError> {
        // A uniformly random 32-byte string is a valid scalar except with probability
        // ~2^-32 (zero or above the group order); draw again then.
        for _ in 0..16 {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| TrustError::Random(e.to_string()))?;
            if let Ok(key) = p256::ecdsa::SigningKey::from_slice(&bytes) {
                return SigningKey::from_key(key);
            }
        }
        Err(TrustError::Random(
            "the random generator gave no valid P-256 scalar in 16 draws".into(),
        ))
    }

    fn from_key(key: p256::ecdsa::SigningKey) -> Result<SigningKey, TrustError> {
        let der = key
            .verifying_key()
            .to_public_key_der()
            .map_err(|e| TrustError::Random(format!("encoding the public key: {e}")))?;
        Ok(SigningKey {
            fingerprint: fingerprint(der.as_bytes()),
            key,
        })
    }

    /// Parses a PKCS#8 PEM private key, decrypting it with `password` when it is an
    /// `ENCRYPTED PRIVATE KEY`.
    pub fn from_pem(
        pem: &str,
        password: Option<&str>,
        source: &str,
    ) -> Result<SigningKey, TrustError> {
        let bad = |reason: String| TrustError::Key {
            path: source.to_owned(),
            reason,
        };
        let label = pem
            .lines()
            .find_map(|l| l.trim().strip_prefix("-----BEGIN "))
            .and_then(|l| l.strip_suffix("-----"))
            .ok_or_else(|| bad("holds no PEM block".into()))?;
        let key = match label {
            "PRIVATE KEY" => p256::ecdsa::SigningKey::from_pkcs8_pem(pem)
                .map_err(|e| bad(format!("is not a P-256 PKCS#8 private key: {e}")))?,
            "ENCRYPTED PRIVATE KEY" => {
                let password = password.ok_or_else(|| {
                    bad("is encrypted and no passphrase was given (the CLI reads it from `KENSA_KEY_PASSWORD`)".into())
                })?;
                p256::ecdsa::SigningKey::from_pkcs8_encrypted_pem(pem, password).map_err(|_| {
                    bad("could not be decrypted: wrong passphrase, \
                         or not a P-256 key"
                        .into())
                })?
            }
            other => {
                return Err(bad(format!(
                    "holds a `{other}` PEM block; kensa signs with PKCS#8 P-256 keys \
                     (`kensa keygen` writes one)"
                )));
            }
        };
        SigningKey::from_key(key)
    }

    /// The key pair as PEM, the private half encrypted when `password` is given.
    pub fn to_pem(&self, password: Option<&str>) -> Result<KeyPair, TrustError> {
        let fail = |e: String| TrustError::Random(format!("encoding the key: {e}"));
        let private_pem = match password {
            Some(p) => self.key.to_pkcs8_encrypted_pem(p, LineEnding::LF),
            None => self.key.to_pkcs8_pem(LineEnding::LF),
        }
        .map_err(|e| fail(e.to_string()))?
        .to_string();
        let public_pem = self
            .key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| fail(e.to_string()))?;
        Ok(KeyPair {
            private_pem,
            public_pem,
            fingerprint: self.fingerprint.clone(),
        })
    }

    /// The public half, for verifying what this key signed.
    pub fn public_key(&self) -> Result<PublicKey, TrustError> {
        Ok(PublicKey {
            source: "the signing key".into(),
            fingerprint: self.fingerprint.clone(),
            key: KeyKind::P256(*self.key.verifying_key()),
        })
    }

    /// An ECDSA P-256 signature over SHA-256 of `message`, DER-encoded (what cosign
    /// writes in the signature annotation, before base64).
    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signature: p256::ecdsa::Signature = self.key.sign(message);
        signature.to_der().to_bytes().to_vec()
    }
}

/// `sha256:<hex>` of a DER SubjectPublicKeyInfo.
fn fingerprint(spki_der: &[u8]) -> String {
    let hash: [u8; 32] = Sha256::digest(spki_der).into();
    kensa_core::Digest::sha256_from_bytes(&hash).to_string()
}

/// Decodes the first PEM block, returning its label and DER bytes. Lines before the
/// block (cosign and openssl write none, but humans add comments) are ignored.
fn pem_rfc7468_decode(text: &str) -> Result<(String, Vec<u8>), String> {
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| "holds no PEM block".to_owned())?;
    let (label, der) = pem_rfc7468::decode_vec(&text.as_bytes()[start..])
        .map_err(|e| format!("is not valid PEM: {e}"))?;
    Ok((label.to_owned(), der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_round_trips_and_verifies_what_it_signs() {
        let key = SigningKey::generate().unwrap();
        let pair = key.to_pem(None).unwrap();
        assert!(pair.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let public = PublicKey::from_pem(&pair.public_pem, "kensa.pub").unwrap();
        assert_eq!(public.algorithm(), "ecdsa-p256");
        assert_eq!(public.fingerprint, key.fingerprint);
        let again = SigningKey::from_pem(&pair.private_pem, None, "kensa.key").unwrap();
        let signature = again.sign(b"payload");
        assert_eq!(public.verify(b"payload", &signature), Ok(()));
        assert_eq!(
            public.verify(b"payl0ad", &signature),
            Err(Mismatch::DoesNotVerify)
        );
        assert!(matches!(
            public.verify(b"payload", b"\x30\x02"),
            Err(Mismatch::Malformed(_))
        ));
    }

    #[test]
    fn unusable_key_files_say_why() {
        let key = SigningKey::generate().unwrap();
        let pair = key.to_pem(Some("pw")).unwrap();
        let cases = [
            (pair.private_pem.as_str(), "give the public key"),
            ("no pem here", "holds no PEM block"),
            (
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                "is not a SubjectPublicKeyInfo",
            ),
        ];
        for (text, expected) in cases {
            let err = PublicKey::from_pem(text, "k.pub").unwrap_err().to_string();
            assert!(
                err.starts_with("key `k.pub`: ") && err.contains(expected),
                "{err}"
            );
        }
        let err = SigningKey::from_pem(&pair.private_pem, None, "k.key")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no passphrase was given"), "{err}");
        let err = SigningKey::from_pem(&pair.public_pem, None, "k.key")
            .unwrap_err()
            .to_string();
        assert!(err.contains("holds a `PUBLIC KEY` PEM block"), "{err}");
    }
}
