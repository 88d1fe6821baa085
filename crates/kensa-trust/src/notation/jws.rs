//! The JWS envelope (`application/jose+json`): JWS JSON serialization with the
//! Notary Project's protected header, the chain in the unprotected `x5c`.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;

use super::envelope::{AUTHENTIC_SIGNING_TIME, Alg, EXPIRY, Envelope, SIGNING_TIME, Scheme};
use super::parse_rfc3339;

#[derive(Deserialize)]
struct Serialized {
    payload: String,
    protected: String,
    header: Unprotected,
    signature: String,
}

#[derive(Deserialize)]
struct Unprotected {
    x5c: Vec<String>,
    #[serde(rename = "io.cncf.notary.timestampSignature", default)]
    timestamp: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Protected {
    alg: String,
    #[serde(default)]
    cty: Option<String>,
    #[serde(default)]
    crit: Vec<String>,
    #[serde(rename = "io.cncf.notary.signingScheme")]
    signing_scheme: String,
    #[serde(rename = "io.cncf.notary.signingTime", default)]
    signing_time: Option<String>,
    #[serde(rename = "io.cncf.notary.authenticSigningTime", default)]
    authentic_signing_time: Option<String>,
    #[serde(rename = "io.cncf.notary.expiry", default)]
    expiry: Option<String>,
}

/// Parses a JWS envelope; the error is an integrity failure's reason.
pub(crate) fn parse(bytes: &[u8], max_chain: usize) -> Result<Envelope, String> {
    let envelope: Serialized = serde_json::from_slice(bytes)
        .map_err(|e| format!("the envelope is not a JWS JSON serialization: {e}"))?;
    let protected_bytes = URL_SAFE_NO_PAD
        .decode(&envelope.protected)
        .map_err(|_| "the protected header is not base64url".to_owned())?;
    let protected: Protected = serde_json::from_slice(&protected_bytes)
        .map_err(|e| format!("the protected header is not a Notary Project header: {e}"))?;
    let alg = match protected.alg.as_str() {
        "PS256" => Alg::Ps256,
        "PS384" => Alg::Ps384,
        "PS512" => Alg::Ps512,
        "ES256" => Alg::Es256,
        "ES384" => Alg::Es384,
        other => {
            return Err(format!(
                "signature algorithm `{other}` is not one kensa verifies"
            ));
        }
    };
    let time = |name: &str, value: &Option<String>| -> Result<Option<i64>, String> {
        value
            .as_deref()
            .map(|t| parse_rfc3339(t).ok_or_else(|| format!("`{name}` is not an RFC 3339 time")))
            .transpose()
    };
    let chain = envelope
        .header
        .x5c
        .iter()
        .take(max_chain + 1)
        .map(|c| STANDARD.decode(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "an `x5c` certificate is not base64".to_owned())?;
    Ok(Envelope {
        alg,
        signed: format!("{}.{}", envelope.protected, envelope.payload).into_bytes(),
        signature: URL_SAFE_NO_PAD
            .decode(&envelope.signature)
            .map_err(|_| "the signature is not base64url".to_owned())?,
        payload: URL_SAFE_NO_PAD
            .decode(&envelope.payload)
            .map_err(|_| "the payload is not base64url".to_owned())?,
        content_type: protected.cty,
        crit: protected.crit,
        scheme: Scheme::parse(&protected.signing_scheme)?,
        signing_time: time(SIGNING_TIME, &protected.signing_time)?,
        authentic_signing_time: time(AUTHENTIC_SIGNING_TIME, &protected.authentic_signing_time)?,
        expiry: time(EXPIRY, &protected.expiry)?,
        chain,
        timestamped: envelope.header.timestamp.is_some(),
    })
}
