//! Notary Project signatures (what `notation sign` and AWS Signer make), JWS envelopes
//! only: a referrer of artifact type `application/vnd.cncf.notary.signature` whose
//! layer is a JWS (`application/jose+json`) over a payload naming the target
//! descriptor, signed by the leaf of an X.509 chain (`x5c`) that must lead to a
//! certificate of the trust store the trust policy names, with a subject the policy
//! trusts. COSE envelopes, timestamps and revocation (OCSP/CRL) are not checked; a
//! COSE signature is reported as unsupported and revocation is said to be "not
//! checked", never passed.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use x509_parser::prelude::{FromDer as _, X509Certificate};

use crate::cosign::SignatureManifest;
use crate::store::{Store, Stored, sha256};
use crate::{Failure, FailureReason, TrustError};

/// The artifact type of a Notary Project signature manifest.
pub const ARTIFACT_NOTATION: &str = "application/vnd.cncf.notary.signature";
/// A JWS envelope.
pub const MEDIA_JWS: &str = "application/jose+json";
/// A COSE envelope (not verified by kensa yet).
pub const MEDIA_COSE: &str = "application/cose";
/// The payload content type.
pub const PAYLOAD_TYPE: &str = "application/vnd.cncf.notary.payload.v1+json";
/// Envelopes carry a certificate chain; a megabyte is far past any real one.
const MAX_ENVELOPE_BYTES: u64 = 1024 * 1024;
/// Certificates in a chain, at most.
const MAX_CHAIN: usize = 10;
/// Certificate files in one named trust store, at most.
const MAX_STORE_CERTS: usize = 1000;

/// How strictly a policy verifies (trust policy `signatureVerification.level`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Every check enforced.
    Strict,
    /// Expiry (and revocation) only logged.
    Permissive,
    /// Only integrity enforced; the rest logged.
    Audit,
    /// No verification.
    Skip,
}

/// One policy of a trust policy document.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    /// Its name, for messages.
    pub name: String,
    /// `registry/repository` names it applies to, or `*`.
    pub registry_scopes: Vec<String>,
    /// How strictly.
    pub signature_verification: Verification,
    /// `ca:<name>` stores whose certificates are roots.
    #[serde(default)]
    pub trust_stores: Vec<String>,
    /// `*` or `x509.subject: <DN>` entries.
    #[serde(default)]
    pub trusted_identities: Vec<String>,
}

/// `signatureVerification`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// The level.
    pub level: Level,
    /// Per-check overrides: not supported yet, refused rather than ignored.
    #[serde(default, rename = "override")]
    pub overrides: Option<BTreeMap<String, String>>,
}

/// A trust policy document (version 1.0).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrustPolicy {
    /// `1.0`.
    pub version: String,
    /// The policies.
    pub trust_policies: Vec<Policy>,
}

impl TrustPolicy {
    /// Parses and checks a trust policy document; `source` names it in errors.
    pub fn from_json(bytes: &[u8], source: &str) -> Result<TrustPolicy, TrustError> {
        let bad = |reason: String| TrustError::Store {
            store: source.to_owned(),
            reason,
        };
        let policy: TrustPolicy = serde_json::from_slice(bytes)
            .map_err(|e| bad(format!("is not a trust policy document: {e}")))?;
        if policy.version != "1.0" {
            return Err(bad(format!(
                "has version `{}`; kensa reads version 1.0",
                policy.version
            )));
        }
        let mut wildcard = 0;
        for p in &policy.trust_policies {
            if p.signature_verification.overrides.is_some() {
                return Err(bad(format!(
                    "policy `{}`: `signatureVerification.override` is not supported yet",
                    p.name
                )));
            }
            if p.registry_scopes.iter().any(|s| s == "*") {
                wildcard += 1;
                if p.registry_scopes.len() > 1 {
                    return Err(bad(format!(
                        "policy `{}`: `*` must be its only registry scope",
                        p.name
                    )));
                }
            }
            for store in &p.trust_stores {
                if !store.starts_with("ca:") {
                    return Err(bad(format!(
                        "policy `{}`: trust store `{store}` is not `ca:<name>` (the only type kensa reads)",
                        p.name
                    )));
                }
            }
        }
        let mut scopes: Vec<&str> = policy
            .trust_policies
            .iter()
            .flat_map(|p| p.registry_scopes.iter().map(String::as_str))
            .filter(|s| *s != "*")
            .collect();
        let count = scopes.len();
        scopes.sort_unstable();
        scopes.dedup();
        if scopes.len() != count || wildcard > 1 {
            return Err(bad(
                "a registry scope appears in more than one policy".into()
            ));
        }
        Ok(policy)
    }

    /// The policy for `scope` (`registry/repository`): the one naming it, else the `*`
    /// one.
    pub fn for_scope(&self, scope: &str) -> Option<&Policy> {
        self.trust_policies
            .iter()
            .find(|p| p.registry_scopes.iter().any(|s| s == scope))
            .or_else(|| {
                self.trust_policies
                    .iter()
                    .find(|p| p.registry_scopes.iter().any(|s| s == "*"))
            })
    }
}

/// Certificates by trust store name (notation's `x509/ca/<name>/*.crt|*.pem`).
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    ca: BTreeMap<String, Vec<Vec<u8>>>,
}

impl TrustStore {
    /// Reads `DIR/x509/ca/<name>/` for every name; PEM or DER files.
    pub fn load(dir: &Path) -> Result<TrustStore, TrustError> {
        let fail = |reason: String| TrustError::Store {
            store: dir.display().to_string(),
            reason,
        };
        let ca_dir = dir.join("x509").join("ca");
        let mut ca = BTreeMap::new();
        let entries = fs_err::read_dir(&ca_dir).map_err(|e| fail(e.to_string()))?;
        for entry in entries {
            let entry = entry.map_err(|e| fail(e.to_string()))?;
            if !entry.path().is_dir() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let mut certs = Vec::new();
            for file in fs_err::read_dir(entry.path()).map_err(|e| fail(e.to_string()))? {
                let path = file.map_err(|e| fail(e.to_string()))?.path();
                let ext = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or_default();
                if !matches!(ext, "crt" | "pem" | "cer") {
                    continue;
                }
                let bytes = fs_err::read(&path).map_err(|e| fail(e.to_string()))?;
                let shown = path.display().to_string();
                certs.extend(certificates_in(&bytes).map_err(|e| fail(format!("`{shown}`: {e}")))?);
                if certs.len() > MAX_STORE_CERTS {
                    return Err(fail(format!(
                        "store `{name}` holds more than {MAX_STORE_CERTS} certificates"
                    )));
                }
            }
            ca.insert(name, certs);
        }
        Ok(TrustStore { ca })
    }
}

/// DER certificates in a PEM file (one or more blocks) or one DER certificate.
fn certificates_in(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(vec![bytes.to_vec()]);
    };
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let end_marker = "-----END CERTIFICATE-----";
        let Some(end) = rest[start..].find(end_marker) else {
            return Err("a certificate PEM block has no end".into());
        };
        let block = &rest[start..start + end + end_marker.len()];
        let (_, der) = pem_rfc7468::decode_vec(block.as_bytes()).map_err(|e| e.to_string())?;
        out.push(der);
        rest = &rest[start + end + end_marker.len()..];
    }
    if out.is_empty() {
        return Err("holds no certificate".into());
    }
    Ok(out)
}

/// A Notary Project signature that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotationVerified {
    /// The report record.
    pub signature: kensa_core::VerifiedSignature,
    /// Checks that failed but that the policy's level only logs, and checks not
    /// performed (revocation).
    pub logged: Vec<String>,
}

/// What one envelope failed, by the check categories of the Notary Project spec.
enum Check {
    Integrity(String),
    Authenticity(String),
    Identity(String),
    Expiry(String),
}

/// Verifies the Notary Project signatures of `subject` (in repository `scope`) under
/// `policy` and `trust`.
pub fn verify(
    store: &dyn Store,
    image: &str,
    scope: &str,
    subject: &Stored,
    policy: &TrustPolicy,
    trust: &TrustStore,
    now: SystemTime,
) -> Result<Vec<NotationVerified>, TrustError> {
    let policy = policy.for_scope(scope).ok_or_else(|| TrustError::Store {
        store: image.to_owned(),
        reason: format!("no trust policy applies to `{scope}` (and none has scope `*`)"),
    })?;
    if policy.signature_verification.level == Level::Skip {
        return Ok(Vec::new());
    }
    let found = store.referrers(&subject.digest, ARTIFACT_NOTATION)?;
    let mut failures = Vec::new();
    let mut verified = Vec::new();
    for d in found.digests.iter().take(crate::MAX_REFERRER_MANIFESTS) {
        let manifest = store.manifest(d)?;
        let location = format!("referrer `{d}`");
        let parsed = match SignatureManifest::parse(&manifest.bytes) {
            Ok(m) => m,
            Err(reason) => {
                failures.push(notation_failure(
                    &location,
                    "integrity",
                    format!("the signature manifest {reason}"),
                ));
                continue;
            }
        };
        let Some(layer) = parsed.layers.first() else {
            failures.push(notation_failure(
                &location,
                "integrity",
                "the signature manifest has no envelope layer".into(),
            ));
            continue;
        };
        if layer.media_type == MEDIA_COSE {
            failures.push(notation_failure(
                &location,
                "envelope",
                "COSE envelopes are not verified by kensa yet".into(),
            ));
            continue;
        }
        if layer.media_type != MEDIA_JWS || layer.size > MAX_ENVELOPE_BYTES {
            failures.push(notation_failure(
                &location,
                "integrity",
                format!(
                    "the envelope is `{}` of {} bytes, not a JWS of at most {MAX_ENVELOPE_BYTES}",
                    layer.media_type, layer.size
                ),
            ));
            continue;
        }
        let envelope = store.blob(&layer.digest, MAX_ENVELOPE_BYTES)?;
        if sha256(&envelope) != layer.digest {
            failures.push(notation_failure(
                &location,
                "integrity",
                "the envelope blob does not match its digest".into(),
            ));
            continue;
        }
        match check_envelope(&envelope, subject, policy, trust, now) {
            Ok((subject_dn, logged)) => verified.push(NotationVerified {
                signature: kensa_core::VerifiedSignature {
                    method: "notation".into(),
                    key: subject_dn,
                    key_source: format!("trust policy `{}`", policy.name),
                    digest: subject.digest.clone(),
                    docker_reference: scope.to_owned(),
                    location,
                },
                logged,
            }),
            Err(checks) => {
                for check in checks {
                    let (kind, reason) = match check {
                        Check::Integrity(r) => ("integrity", r),
                        Check::Authenticity(r) => ("authenticity", r),
                        Check::Identity(r) => ("trusted identity", r),
                        Check::Expiry(r) => ("expiry", r),
                    };
                    failures.push(notation_failure(&location, kind, reason));
                }
            }
        }
    }
    if !verified.is_empty() {
        return Ok(verified);
    }
    if failures.is_empty() {
        return Err(TrustError::NoSignature {
            image: image.to_owned(),
            digest: subject.digest.to_string(),
            looked: format!("{} (Notary Project signatures)", found.how),
        });
    }
    Err(TrustError::NotVerified {
        image: image.to_owned(),
        digest: subject.digest.to_string(),
        failures,
    })
}

fn notation_failure(location: &str, check: &'static str, reason: String) -> Failure {
    Failure {
        location: location.to_owned(),
        reason: FailureReason::Notation { check, reason },
    }
}

#[derive(Deserialize)]
struct Envelope {
    payload: String,
    protected: String,
    header: UnprotectedHeader,
    signature: String,
}

#[derive(Deserialize)]
struct UnprotectedHeader {
    x5c: Vec<String>,
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
    #[serde(rename = "io.cncf.notary.expiry", default)]
    expiry: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    target_artifact: crate::cosign::Descriptor,
}

/// One JWS envelope: `Ok` with the leaf's subject and what was only logged, or every
/// enforced check that failed.
fn check_envelope(
    bytes: &[u8],
    subject: &Stored,
    policy: &Policy,
    trust: &TrustStore,
    now: SystemTime,
) -> Result<(String, Vec<String>), Vec<Check>> {
    let integrity = |r: String| vec![Check::Integrity(r)];
    let envelope: Envelope = serde_json::from_slice(bytes)
        .map_err(|e| integrity(format!("the envelope is not a JWS JSON serialization: {e}")))?;
    let protected_bytes = URL_SAFE_NO_PAD
        .decode(&envelope.protected)
        .map_err(|_| integrity("the protected header is not base64url".into()))?;
    let protected: Protected = serde_json::from_slice(&protected_bytes).map_err(|e| {
        integrity(format!(
            "the protected header is not a Notary Project header: {e}"
        ))
    })?;
    if protected.signing_scheme != "notary.x509" {
        return Err(integrity(format!(
            "signing scheme `{}` is not verified by kensa (only `notary.x509`)",
            protected.signing_scheme
        )));
    }
    if protected.cty.as_deref() != Some(PAYLOAD_TYPE) {
        return Err(integrity(format!(
            "the payload content type is not `{PAYLOAD_TYPE}`"
        )));
    }
    for required in ["io.cncf.notary.signingScheme"]
        .into_iter()
        .chain(protected.expiry.as_ref().map(|_| "io.cncf.notary.expiry"))
    {
        if !protected.crit.iter().any(|c| c == required) {
            return Err(integrity(format!("`{required}` is not marked critical")));
        }
    }
    let chain: Vec<Vec<u8>> = envelope
        .header
        .x5c
        .iter()
        .take(MAX_CHAIN + 1)
        .map(|c| STANDARD.decode(c))
        .collect::<Result<_, _>>()
        .map_err(|_| integrity("an `x5c` certificate is not base64".into()))?;
    if chain.is_empty() || chain.len() > MAX_CHAIN {
        return Err(integrity(format!(
            "`x5c` holds {} certificates, not 1 to {MAX_CHAIN}",
            chain.len()
        )));
    }
    let certs: Vec<X509Certificate<'_>> = chain
        .iter()
        .map(|der| X509Certificate::from_der(der).map(|(_, c)| c))
        .collect::<Result<_, _>>()
        .map_err(|e| integrity(format!("an `x5c` certificate does not parse: {e}")))?;
    let leaf = &certs[0];
    let signing_input = format!("{}.{}", envelope.protected, envelope.payload);
    let signature = URL_SAFE_NO_PAD
        .decode(&envelope.signature)
        .map_err(|_| integrity("the signature is not base64url".into()))?;
    let algorithm: &dyn ring::signature::VerificationAlgorithm = match protected.alg.as_str() {
        "PS256" => &ring::signature::RSA_PSS_2048_8192_SHA256,
        "PS384" => &ring::signature::RSA_PSS_2048_8192_SHA384,
        "PS512" => &ring::signature::RSA_PSS_2048_8192_SHA512,
        "ES256" => &ring::signature::ECDSA_P256_SHA256_FIXED,
        "ES384" => &ring::signature::ECDSA_P384_SHA384_FIXED,
        other => {
            return Err(integrity(format!(
                "signature algorithm `{other}` is not one Notation uses"
            )));
        }
    };
    let key = ring::signature::UnparsedPublicKey::new(
        algorithm,
        &leaf.public_key().subject_public_key.data,
    );
    if key.verify(signing_input.as_bytes(), &signature).is_err() {
        return Err(integrity(
            "the signature does not verify with the leaf certificate's key (payload or signature altered)".into(),
        ));
    }
    let payload_bytes = URL_SAFE_NO_PAD
        .decode(&envelope.payload)
        .map_err(|_| integrity("the payload is not base64url".into()))?;
    let payload: Payload = serde_json::from_slice(&payload_bytes)
        .map_err(|e| integrity(format!("the payload is not a Notary Project payload: {e}")))?;
    let target = payload.target_artifact;
    if target.digest != subject.digest {
        return Err(integrity(format!(
            "signature for another image: its payload signs `{}`, not this digest",
            target.digest
        )));
    }
    if target.size != subject.bytes.len() as u64 || target.media_type != subject.media_type {
        return Err(integrity(format!(
            "the payload's target descriptor (`{}`, {} bytes) does not describe this manifest (`{}`, {} bytes)",
            target.media_type,
            target.size,
            subject.media_type,
            subject.bytes.len()
        )));
    }

    let now_secs = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let mut enforced = Vec::new();
    let mut logged = vec!["revocation (OCSP/CRL) was not checked".to_owned()];
    let level = policy.signature_verification.level;
    let mut fail = |check: Check| {
        let (enforce, text) = match &check {
            Check::Integrity(t) => (true, t.clone()),
            Check::Authenticity(t) | Check::Identity(t) => (level != Level::Audit, t.clone()),
            Check::Expiry(t) => (level == Level::Strict, t.clone()),
        };
        if enforce {
            enforced.push(check);
        } else {
            logged.push(text);
        }
    };
    if let Err(reason) = chain_to_trust_store(&certs, policy, trust, now_secs) {
        fail(Check::Authenticity(reason));
    }
    let subject_dn = leaf.subject().to_string();
    if !identity_trusted(&subject_dn, &policy.trusted_identities) {
        fail(Check::Identity(format!(
            "the signing certificate's subject `{subject_dn}` is not a trusted identity of policy `{}`",
            policy.name
        )));
    }
    match protected.expiry.as_deref().map(parse_rfc3339) {
        Some(Some(expiry)) if expiry <= now_secs => fail(Check::Expiry(format!(
            "the signature expired at {}",
            protected.expiry.as_deref().unwrap_or_default()
        ))),
        Some(None) => fail(Check::Expiry(
            "`io.cncf.notary.expiry` is not an RFC 3339 time".into(),
        )),
        _ => {}
    }
    if let Some(time) = &protected.signing_time
        && parse_rfc3339(time).is_none()
    {
        fail(Check::Integrity(
            "`io.cncf.notary.signingTime` is not an RFC 3339 time".into(),
        ));
    }
    if enforced.is_empty() {
        Ok((subject_dn, logged))
    } else {
        Err(enforced)
    }
}

/// The chain `certs` (leaf first) must be valid now, each signed by the next, CA
/// certificates above the leaf, and end at (or be signed by) a certificate of one of
/// the policy's trust stores.
fn chain_to_trust_store(
    certs: &[X509Certificate<'_>],
    policy: &Policy,
    trust: &TrustStore,
    now: i64,
) -> Result<(), String> {
    for (i, cert) in certs.iter().enumerate() {
        let validity = cert.validity();
        if now < validity.not_before.timestamp() || now > validity.not_after.timestamp() {
            return Err(format!(
                "certificate `{}` is outside its validity ({} to {})",
                cert.subject(),
                validity.not_before,
                validity.not_after
            ));
        }
        if i > 0 && !cert.is_ca() {
            return Err(format!(
                "certificate `{}` signs another but is not a CA",
                cert.subject()
            ));
        }
        if let Some(issuer) = certs.get(i + 1)
            && (cert.issuer() != issuer.subject()
                || cert.verify_signature(Some(issuer.public_key())).is_err())
        {
            return Err(format!(
                "certificate `{}` is not signed by `{}`",
                cert.subject(),
                issuer.subject()
            ));
        }
    }
    if let Some(Ok(eku)) = certs.first().map(|c| c.extended_key_usage())
        && let Some(eku) = eku
        && !eku.value.code_signing
        && !eku.value.any
    {
        return Err("the signing certificate is not for code signing (extended key usage)".into());
    }
    let top = certs.last().ok_or("no certificate")?;
    let mut names = Vec::new();
    for store in &policy.trust_stores {
        let name = store.trim_start_matches("ca:");
        names.push(format!("`{store}`"));
        let Some(roots) = trust.ca.get(name) else {
            return Err(format!(
                "trust store `{store}` of policy `{}` does not exist",
                policy.name
            ));
        };
        for root_der in roots {
            let Ok((_, root)) = X509Certificate::from_der(root_der) else {
                continue;
            };
            let same = root.tbs_certificate.as_ref() == top.tbs_certificate.as_ref();
            let signs = root.subject() == top.issuer()
                && top.verify_signature(Some(root.public_key())).is_ok();
            if same || signs {
                return Ok(());
            }
        }
    }
    Err(format!(
        "the certificate chain does not lead to a certificate of trust store {}",
        if names.is_empty() {
            "(none named)".to_owned()
        } else {
            names.join(", ")
        }
    ))
}

/// `*`, or an `x509.subject:` DN whose attributes are exactly the certificate's.
fn identity_trusted(subject: &str, identities: &[String]) -> bool {
    let attributes = |dn: &str| {
        let mut parts: Vec<String> = dn
            .split(',')
            .map(|p| p.trim().replace(" = ", "="))
            .filter(|p| !p.is_empty())
            .collect();
        parts.sort();
        parts
    };
    let have = attributes(subject);
    identities.iter().any(|id| {
        id == "*"
            || id
                .strip_prefix("x509.subject:")
                .is_some_and(|dn| attributes(dn) == have)
    })
}

/// Seconds since the epoch of an RFC 3339 time (`2026-12-04T01:02:03Z`, fractions and
/// offsets allowed). Hand-written: one small format, and no date crate is otherwise
/// needed here.
fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let o = num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_parse_to_epoch_seconds() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(
            parse_rfc3339("2026-12-04T02:30:00.123+01:00"),
            Some(1_796_347_800)
        );
        assert_eq!(parse_rfc3339("2026-12-04 02:30:00Z"), None);
        assert_eq!(parse_rfc3339("2026-13-04T02:30:00Z"), None);
    }

    #[test]
    fn policies_are_chosen_by_exact_scope_then_wildcard() {
        let doc = br#"{"version":"1.0","trustPolicies":[
            {"name":"prod","registryScopes":["r.example/prod/app"],"signatureVerification":{"level":"strict"},"trustStores":["ca:prod"],"trustedIdentities":["*"]},
            {"name":"rest","registryScopes":["*"],"signatureVerification":{"level":"audit"},"trustStores":["ca:dev"],"trustedIdentities":["*"]}]}"#;
        let policy = TrustPolicy::from_json(doc, "policy.json").unwrap();
        assert_eq!(policy.for_scope("r.example/prod/app").unwrap().name, "prod");
        assert_eq!(policy.for_scope("r.example/other").unwrap().name, "rest");
        let dup = br#"{"version":"1.0","trustPolicies":[
            {"name":"a","registryScopes":["x/y"],"signatureVerification":{"level":"strict"}},
            {"name":"b","registryScopes":["x/y"],"signatureVerification":{"level":"strict"}}]}"#;
        let err = TrustPolicy::from_json(dup, "p.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than one policy"), "{err}");
        let old = br#"{"version":"2.0","trustPolicies":[]}"#;
        assert!(
            TrustPolicy::from_json(old, "p.json")
                .unwrap_err()
                .to_string()
                .contains("version 1.0")
        );
    }

    #[test]
    fn identities_match_whole_subjects() {
        let subject = "C=US, O=Acme, CN=release";
        assert!(identity_trusted(
            subject,
            &["x509.subject: CN=release, O=Acme, C=US".into()]
        ));
        assert!(!identity_trusted(
            subject,
            &["x509.subject: CN=release, O=Acme".into()]
        ));
        assert!(identity_trusted(subject, &["*".into()]));
    }
}
