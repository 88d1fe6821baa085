//! What kensa reads from a Notary Project signature envelope, whichever its format: the
//! JWS ([`super::jws`]) and COSE ([`super::cose`]) modules each fill an [`Envelope`],
//! and the checks of the trust policy run on it once.

/// The signature algorithms the Notary Project allows (and `ring` verifies; ECDSA on
/// P-521 is allowed by the spec but not in `ring`, so it is refused by name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Alg {
    Es256,
    Es384,
    Ps256,
    Ps384,
    Ps512,
}

impl Alg {
    pub(crate) fn ring(self) -> &'static dyn ring::signature::VerificationAlgorithm {
        match self {
            Alg::Es256 => &ring::signature::ECDSA_P256_SHA256_FIXED,
            Alg::Es384 => &ring::signature::ECDSA_P384_SHA384_FIXED,
            Alg::Ps256 => &ring::signature::RSA_PSS_2048_8192_SHA256,
            Alg::Ps384 => &ring::signature::RSA_PSS_2048_8192_SHA384,
            Alg::Ps512 => &ring::signature::RSA_PSS_2048_8192_SHA512,
        }
    }
}

/// The signing schemes of the Notary Project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// `notary.x509`: roots in `x509/ca`, signing time untrusted.
    X509,
    /// `notary.x509.signingAuthority`: roots in `x509/signingAuthority`, the signing
    /// time vouched for by the authority (`authenticSigningTime`).
    SigningAuthority,
}

impl Scheme {
    pub(crate) fn parse(text: &str) -> Result<Scheme, String> {
        match text {
            "notary.x509" => Ok(Scheme::X509),
            "notary.x509.signingAuthority" => Ok(Scheme::SigningAuthority),
            other => Err(format!(
                "signing scheme `{other}` is not one of the Notary Project's (`notary.x509`, `notary.x509.signingAuthority`)"
            )),
        }
    }

    /// The trust store type whose roots this scheme's chains lead to.
    pub(crate) fn store_type(self) -> &'static str {
        match self {
            Scheme::X509 => "ca",
            Scheme::SigningAuthority => "signingAuthority",
        }
    }
}

/// The parts of a parsed envelope the checks need; times are seconds since the epoch.
#[derive(Debug)]
pub(crate) struct Envelope {
    pub(crate) alg: Alg,
    /// The bytes the signature is over (JWS signing input, COSE `Sig_structure`).
    pub(crate) signed: Vec<u8>,
    pub(crate) signature: Vec<u8>,
    pub(crate) payload: Vec<u8>,
    pub(crate) content_type: Option<String>,
    /// The protected header's critical parameters, by name.
    pub(crate) crit: Vec<String>,
    pub(crate) scheme: Scheme,
    pub(crate) signing_time: Option<i64>,
    pub(crate) authentic_signing_time: Option<i64>,
    pub(crate) expiry: Option<i64>,
    /// DER certificates, leaf first.
    pub(crate) chain: Vec<Vec<u8>>,
    /// An RFC 3161 countersignature is attached (kensa does not verify it).
    pub(crate) timestamped: bool,
}

/// Header parameter names of the Notary Project.
pub(crate) const SIGNING_SCHEME: &str = "io.cncf.notary.signingScheme";
pub(crate) const SIGNING_TIME: &str = "io.cncf.notary.signingTime";
pub(crate) const AUTHENTIC_SIGNING_TIME: &str = "io.cncf.notary.authenticSigningTime";
pub(crate) const EXPIRY: &str = "io.cncf.notary.expiry";
pub(crate) const TIMESTAMP_SIGNATURE: &str = "io.cncf.notary.timestampSignature";
